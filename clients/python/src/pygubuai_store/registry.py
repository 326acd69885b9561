"""PygubuAI's ``Registry`` and ``WorkflowTracker``, backed by the store through its server.

Same method names, arguments and return shapes as ``pygubuai.registry.Registry`` and
``pygubuai.workflow.WorkflowTracker``, so the tool switches with one import::

    from pygubuai_store import Registry, WorkflowTracker
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from .client import PathLike, ProjectRow, StoreClient
from .errors import ProjectExistsError, ProjectNotFoundError

#: The keys a registry entry has in ``~/.pygubu-registry.json``, in the order the tool writes them.
_KNOWN = ("path", "created", "modified", "description", "tags")


def metadata_of(row: ProjectRow) -> Dict[str, Any]:
    """A store project row as the Python tool's registry entry: path, created, modified, description, tags, then extra keys."""
    entry: Dict[str, Any] = {k: row.get(k) for k in _KNOWN}
    entry["tags"] = list(entry["tags"] or [])
    if entry["description"] is None:
        entry["description"] = ""
    for k, v in (row.get("extra") or {}).items():
        if k not in _KNOWN:
            entry[k] = v
    return entry


class Registry:
    """The project registry: ``Registry()`` uses the server of the default store.

    ``Registry(store=DIR)`` the server of another store; ``Registry(socket=...)`` or
    ``Registry(url=..., token=...)`` a server named directly; ``Registry(client=c)`` shares a client.
    """

    def __init__(
        self,
        store: Optional[PathLike] = None,
        *,
        client: Optional[StoreClient] = None,
        socket: Optional[str] = None,
        url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: Optional[float] = 30.0,
    ) -> None:
        self.client = client or StoreClient(store, socket=socket, url=url, token=token, timeout=timeout)

    def close(self) -> None:
        """Close the connections (also done when the object is collected)."""
        self.client.close()

    def __enter__(self) -> "Registry":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_project(self, name: str, path: str, description: str = "", tags: Optional[List[str]] = None) -> None:
        """Register a project (its path resolved, as the tool does); an existing name gets the new path, description and tags."""
        resolved = str(Path(path).resolve())
        try:
            self.client.register_project(name, resolved, description=description, tags=tags or [])
        except ProjectExistsError:
            self.client.update_project(name, description=description, tags=tags or [], path=resolved)

    def get_project(self, name: str) -> Optional[str]:
        """The project's path, or None."""
        row = self.client.project(name)
        return None if row is None else row["path"]

    def get_project_metadata(self, name: str) -> Optional[Dict[str, Any]]:
        """The project's registry entry (path, created, modified, description, tags), or None."""
        row = self.client.project(name)
        return None if row is None else metadata_of(row)

    def list_projects(self) -> Dict[str, str]:
        """name → path of every project."""
        return {row["name"]: row["path"] for row in self.client.projects()}

    def list_projects_with_metadata(self) -> Dict[str, Dict[str, Any]]:
        """name → registry entry of every project."""
        return {row["name"]: metadata_of(row) for row in self.client.projects()}

    def search_projects(self, query: str) -> Dict[str, Dict[str, Any]]:
        """name → registry entry of the projects whose name, description or tags match the query (the store's word search)."""
        return {row["name"]: metadata_of(row) for row in self.client.search_projects(query, limit=1_000_000)}

    def update_project_metadata(self, name: str, description: Optional[str] = None, tags: Optional[List[str]] = None) -> None:
        """Change the description and/or tags; raises ``ProjectNotFoundError`` (a ``ValueError``) for an unknown name."""
        if description is None and tags is None:
            # the tool touches `modified` even then; the store has no event for "nothing changed"
            if self.client.project(name) is None:
                raise ProjectNotFoundError("PROJECT_NOT_FOUND", f"Project '{name}' not found")
            return
        self.client.update_project(name, description=description, tags=tags)

    def set_active(self, name: str) -> None:
        """Make a project the active one; raises ``ProjectNotFoundError`` (a ``ValueError``) for an unknown name."""
        self.client.activate_project(name)

    def get_active(self) -> Optional[str]:
        """The active project's name, or None."""
        row = self.client.active_project()
        return None if row is None else row["name"]


class WorkflowTracker:
    """A project's workflow history: ``WorkflowTracker(project_path)``, as in the tool."""

    def __init__(
        self,
        project_path: Union[str, PathLike],
        *,
        registry: Optional[Registry] = None,
        client: Optional[StoreClient] = None,
        store: Optional[PathLike] = None,
    ) -> None:
        self.project_path = Path(project_path)
        self.client = client or (registry.client if registry else StoreClient(store))
        self._name: Optional[str] = None

    @property
    def project(self) -> str:
        """The registered project whose path is this tracker's directory."""
        if self._name is None:
            wanted = str(self.project_path.resolve())
            for row in self.client.projects():
                if row["path"] == wanted or row["path"] == str(self.project_path):
                    self._name = row["name"]
                    break
            else:
                raise ProjectNotFoundError(
                    "PROJECT_NOT_FOUND",
                    f"no project is registered at {wanted}",
                    hint="register it first (Registry().add_project)",
                )
        return self._name

    def add_event(self, action: str, description: str) -> None:
        """Append one entry to the project's history (the store keeps every entry, not only the last 100)."""
        self.client.record(self.project, action, description)

    def get_history(self, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """The history entries (timestamp, action, description[, user]) in time order."""
        entries = self.client.history(self.project, limit=limit)
        out = []
        for e in entries:
            entry = {"timestamp": e["timestamp"], "action": e["action"], "description": e.get("description", "")}
            if "user" in e:
                entry["user"] = e["user"]
            for k, v in (e.get("extra") or {}).items():
                entry.setdefault(k, v)
            out.append(entry)
        return out
