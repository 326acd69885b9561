"""The store over its server: one ``StoreClient`` per store, shared by ``Registry`` and ``WorkflowTracker``."""
from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Union

from ._transport import DISCONNECTS, Endpoint, Transport, endpoint_from_url, iter_sse, store_home
from .errors import ProjectNotFoundError, ServerUnavailableError, StoreError, error_from_body

API_VERSION = 1

PathLike = Union[str, "os.PathLike[str]"]

#: Project rows as the store keeps them: id, name, path, description, tags, created, modified[, extra].
ProjectRow = Dict[str, Any]
#: An event of the log: seq, id, stream, type, version, at, data[, meta].
StoredEvent = Dict[str, Any]


def default_store(env: Optional[Mapping[str, str]] = None) -> Path:
    """The store the CLI uses when given no ``--store``: ``$PYGUBUAI_HOME/store`` (``~/.pygubuai/store``)."""
    return store_home(env) / "store"


def discover(store: Optional[PathLike] = None, env: Optional[Mapping[str, str]] = None) -> Endpoint:
    """Find the running server of a store from the descriptor it keeps beside the store."""
    location = Path(store).expanduser().resolve() if store is not None else default_store(env)
    descriptor = _descriptor_path(location)
    try:
        info = json.loads(descriptor.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ServerUnavailableError(
            "SERVER_UNAVAILABLE",
            f"no server is running for the store {location}",
            hint=f"start one with `pygubu-db serve --store {location}`",
        ) from None
    except (OSError, ValueError) as exc:
        raise ServerUnavailableError("SERVER_UNAVAILABLE", f"the server descriptor {descriptor} cannot be read: {exc}") from exc
    pid = info.get("pid")
    if isinstance(pid, int) and not _alive(pid):
        raise ServerUnavailableError(
            "SERVER_UNAVAILABLE",
            f"the server of {location} (pid {pid}) is gone; its descriptor is stale",
            hint=f"start one with `pygubu-db serve --store {location}`",
        )
    return _endpoint_of(info, location)


def _descriptor_path(location: Path) -> Path:
    """``<store>.server.json`` beside the store directory, written by the server while it listens."""
    return location.with_name(location.name + ".server.json")


def _endpoint_of(info: Mapping[str, Any], location: Path) -> Endpoint:
    sock = info.get("socket")
    if isinstance(sock, str) and sock:
        return Endpoint(socket=sock)
    port = info.get("port")
    if isinstance(port, int):
        token_file = info.get("tokenFile")
        token = read_token(Path(token_file) if isinstance(token_file, str) else location.with_name(location.name + ".token"))
        return Endpoint(host=str(info.get("host") or "127.0.0.1"), port=port, token=token)
    raise ServerUnavailableError("SERVER_UNAVAILABLE", f"the server descriptor of {location} names no socket or port")


def read_token(path: Path) -> Optional[str]:
    """The bearer token a TCP client sends (``pygubu-db server token`` shows it)."""
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _event_id() -> str:
    return str(uuid.uuid4())


def _q(segment: str) -> str:
    import urllib.parse

    return urllib.parse.quote(segment, safe="")


class StoreClient:
    """Typed calls on a running ``pygubu-db serve``.

    ``StoreClient()`` finds the server of the default store (``$PYGUBUAI_HOME`` or ``~/.pygubuai``);
    ``StoreClient(store=DIR)`` the server of that store; ``socket=`` or ``url=`` (with ``token=``)
    name a server directly.
    """

    def __init__(
        self,
        store: Optional[PathLike] = None,
        *,
        socket: Optional[str] = None,
        url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: Optional[float] = 30.0,
    ) -> None:
        if socket is not None:
            fixed: Optional[Endpoint] = Endpoint(socket=socket, token=token)
        elif url is not None:
            fixed = endpoint_from_url(url, token)
        else:
            fixed = None
        self.store = store
        self._transport = Transport((lambda: fixed) if fixed is not None else (lambda: discover(store)), timeout=timeout)

    # ---- plumbing ------------------------------------------------------------------------------

    def _get(self, path: str, query: Optional[Mapping[str, Any]] = None) -> Any:
        return self._transport.request("GET", path, query=query)

    def _write(self, method: str, path: str, body: Any) -> Any:
        # every write carries an event id, so sending it again after a broken connection is a no-op
        return self._transport.request(method, path, body, retry=True)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> "StoreClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def endpoint(self) -> Endpoint:
        return self._transport.endpoint

    def handshake(self) -> Dict[str, Any]:
        """The server's versions (``server``, ``api``, ``storeFormat``), its store, pid and head.

        Sends this client's API version: a server too old for it answers ``SERVER_TOO_OLD``.
        """
        return self._get("/v1/handshake", {"api": API_VERSION})

    # ---- projects ------------------------------------------------------------------------------

    def register_project(self, name: str, path: str, *, description: str = "", tags: Sequence[str] = (),
                         event_id: Optional[str] = None) -> ProjectRow:
        """Register a project (the path is stored as given); ``ProjectExistsError`` when the name is taken."""
        body = {"name": name, "path": path, "description": description, "tags": list(tags), "eventId": event_id or _event_id()}
        return self._write("POST", "/v1/projects", body)["project"]

    def project(self, name: str, *, as_of: Optional[Union[int, str]] = None) -> Optional[ProjectRow]:
        """A live project by name (as of a seq or ISO time when given), or None."""
        try:
            return self._get(f"/v1/projects/{_q(name)}", {"asOf": as_of})["project"]
        except ProjectNotFoundError:
            return None

    def projects(self, *, tag: Optional[str] = None, sort: Optional[str] = None, limit: Optional[int] = None,
                 as_of: Optional[Union[int, str]] = None) -> List[ProjectRow]:
        """Projects by name (or ``sort="created"|"modified"``, newest first), optionally only those with a tag."""
        return self._get("/v1/projects", {"tag": tag, "sort": sort, "limit": limit, "asOf": as_of})["projects"]

    def search_projects(self, query: str, *, limit: Optional[int] = 20, as_of: Optional[Union[int, str]] = None) -> List[ProjectRow]:
        """Projects with a word starting with every word of the query (name, description, tags)."""
        return self._get("/v1/projects-search", {"q": query, "limit": limit, "asOf": as_of})["projects"]

    def update_project(self, name: str, *, description: Optional[str] = None, tags: Optional[Sequence[str]] = None,
                       path: Optional[str] = None, event_id: Optional[str] = None) -> ProjectRow:
        body: Dict[str, Any] = {"eventId": event_id or _event_id()}
        if description is not None:
            body["description"] = description
        if tags is not None:
            body["tags"] = list(tags)
        if path is not None:
            body["path"] = path
        return self._write("PATCH", f"/v1/projects/{_q(name)}", body)["project"]

    def rename_project(self, name: str, to: str, *, event_id: Optional[str] = None) -> ProjectRow:
        return self._write("POST", f"/v1/projects/{_q(name)}/rename", {"to": to, "eventId": event_id or _event_id()})["project"]

    def remove_project(self, name: str) -> ProjectRow:
        """Remove a project (its history stays in the log); answers with the row it had."""
        return self._transport.request("DELETE", f"/v1/projects/{_q(name)}", retry=False)["project"]

    def activate_project(self, name: str, *, event_id: Optional[str] = None) -> ProjectRow:
        return self._write("PUT", "/v1/active", {"name": name, "eventId": event_id or _event_id()})["project"]

    def active_project(self) -> Optional[ProjectRow]:
        return self._get("/v1/active")["project"]

    # ---- workflow history ----------------------------------------------------------------------

    def history(self, project: str, *, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """A project's workflow history, oldest first (with ``limit``, the most recent entries)."""
        return self._get(f"/v1/projects/{_q(project)}/history", {"limit": limit})["history"]

    def record(self, project: str, action: str, description: str = "", *, user: Optional[str] = None,
               timestamp: Optional[str] = None, extra: Optional[Mapping[str, Any]] = None,
               event_id: Optional[str] = None) -> StoredEvent:
        """Record a workflow action; answers with the stored event."""
        body: Dict[str, Any] = {"action": action, "description": description, "eventId": event_id or _event_id()}
        if user is not None:
            body["user"] = user
        if timestamp is not None:
            body["timestamp"] = timestamp
        if extra:
            body["extra"] = dict(extra)
        return self._write("POST", f"/v1/projects/{_q(project)}/history", body)["event"]

    # ---- templates -----------------------------------------------------------------------------

    def templates(self, query: Optional[str] = None, *, tag: Optional[str] = None, author: Optional[str] = None,
                  min_rating: Optional[float] = None, sort: Optional[str] = None, limit: Optional[int] = None,
                  all: bool = False) -> List[Dict[str, Any]]:
        """Search templates (``query``) or list them; ``sort`` is downloads, rating, recent or name."""
        q = {"q": query, "tag": tag, "author": author, "minRating": min_rating, "sort": sort, "limit": limit, "all": all or None}
        return self._get("/v1/templates", q)["templates"]

    def template(self, name: str) -> Optional[Dict[str, Any]]:
        try:
            return self._get(f"/v1/templates/{_q(name)}")["template"]
        except StoreError as err:
            if err.code == "TEMPLATE_NOT_FOUND":
                return None
            raise

    def template_versions(self, name: str) -> List[Dict[str, Any]]:
        return self._get(f"/v1/templates/{_q(name)}/versions")["versions"]

    def template_reviews(self, name: str, *, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        return self._get(f"/v1/templates/{_q(name)}/reviews", {"limit": limit})["reviews"]

    def template_files(self, name: str, range: Optional[str] = None) -> Dict[str, Any]:
        """``{"version": row, "files": [{"path", "content"}]}`` of the newest version matching ``range``."""
        return self._get(f"/v1/templates/{_q(name)}/files", {"range": range})

    def publish_template(self, name: str, version: str, files: Mapping[str, str], *, author: str,
                         description: str = "", tags: Sequence[str] = (), metadata: Optional[Mapping[str, Any]] = None,
                         event_id: Optional[str] = None) -> Dict[str, Any]:
        """Publish a version; ``files`` maps plain file names to UTF-8 text (one must be a ``.ui``)."""
        body: Dict[str, Any] = {
            "name": name, "version": version, "author": author, "description": description, "tags": list(tags),
            "files": [{"path": p, "content": c} for p, c in files.items()], "eventId": event_id or _event_id(),
        }
        if metadata is not None:
            body["metadata"] = dict(metadata)
        return self._write("POST", "/v1/templates", body)

    def install_template(self, name: str, dest: PathLike, *, range: Optional[str] = None, force: bool = False) -> Dict[str, Any]:
        """Write the template into ``<dest>/<name>/`` on the server's machine and count the download."""
        body: Dict[str, Any] = {"dest": str(Path(dest).resolve()), "force": force}
        if range is not None:
            body["range"] = range
        return self._transport.request("POST", f"/v1/templates/{_q(name)}/install", body, retry=False)

    def rate_template(self, name: str, stars: int, *, user: str, review: Optional[str] = None,
                      event_id: Optional[str] = None) -> Dict[str, Any]:
        body: Dict[str, Any] = {"user": user, "stars": stars, "eventId": event_id or _event_id()}
        if review is not None:
            body["review"] = review
        return self._write("POST", f"/v1/templates/{_q(name)}/ratings", body)

    def deprecate_template(self, name: str, *, version: Optional[str] = None, reason: Optional[str] = None,
                           event_id: Optional[str] = None) -> Dict[str, Any]:
        body: Dict[str, Any] = {"eventId": event_id or _event_id()}
        if version is not None:
            body["version"] = version
        if reason is not None:
            body["reason"] = reason
        return self._write("POST", f"/v1/templates/{_q(name)}/deprecate", body)

    # ---- analytics -----------------------------------------------------------------------------

    def widget_usage(self, *, project: Optional[str] = None, top: Optional[int] = None) -> List[Dict[str, Any]]:
        """Widget classes by use, most first: ``[{"class", "count"}]``."""
        return self._get("/v1/analytics/widgets", {"project": project, "top": top})["widgets"]

    def complexity(self, project: str) -> Optional[Dict[str, Any]]:
        """A project's complexity from its last scan, or None before the first one."""
        return self._get(f"/v1/analytics/projects/{_q(project)}")["complexity"]

    def trend(self, *, metric: Optional[str] = None, project: Optional[str] = None, days: Optional[int] = None,
              until: Optional[str] = None, by: Optional[str] = None) -> Dict[str, Any]:
        """A metric's (default: workflow actions) series by day or week."""
        return self._get("/v1/analytics/trends", {"metric": metric, "project": project, "days": days, "until": until, "by": by})

    def record_metric(self, metric: str, value: float, *, project: Optional[str] = None,
                      metadata: Optional[Mapping[str, Any]] = None, event_id: Optional[str] = None) -> StoredEvent:
        body: Dict[str, Any] = {"metric": metric, "value": value, "eventId": event_id or _event_id()}
        if project is not None:
            body["project"] = project
        if metadata is not None:
            body["metadata"] = dict(metadata)
        return self._write("POST", "/v1/analytics/metrics", body)["event"]

    # ---- the log and the store -----------------------------------------------------------------

    def head(self) -> int:
        """The seq of the newest durable event."""
        return int(self.handshake()["head"])

    def stats(self, *, as_of: Optional[Union[int, str]] = None) -> Dict[str, Any]:
        return self._get("/v1/stats", {"asOf": as_of})

    def verify(self) -> Dict[str, Any]:
        """Replay the log and compare it with the stored views: ``{"ok": bool, "problems": [...], ...}``."""
        return self._transport.request("POST", "/v1/verify")

    def events(self, *, from_seq: Optional[int] = None, limit: Optional[int] = None, type: Optional[str] = None,
               stream: Optional[str] = None) -> List[StoredEvent]:
        """Events in log order (at most 10,000 per call; page with ``from_seq``)."""
        return self._get("/v1/log", {"fromSeq": from_seq, "limit": limit, "type": type, "stream": stream})["events"]

    def event(self, seq: int) -> Optional[StoredEvent]:
        try:
            return self._get(f"/v1/events/{int(seq)}")["event"]
        except StoreError as err:
            if err.code == "EVENT_NOT_FOUND":
                return None
            raise

    def append(self, events: Sequence[Mapping[str, Any]], *,
               expected_version: Optional[Union[int, str, Mapping[str, Union[int, str]]]] = None) -> List[StoredEvent]:
        """Append raw events (validated by the server), all or none.

        ``expected_version``: a version number, ``"any"``, ``"no_stream"``, ``"stream_exists"``, or a
        dict of one per stream; ``CONCURRENCY_CONFLICT`` when a stream is elsewhere. Events without
        an ``id`` get one, so a retry after a broken connection is a no-op.
        """
        batch = [dict(e, id=e.get("id") or _event_id()) for e in events]
        body: Dict[str, Any] = {"events": batch}
        if expected_version is not None:
            body["expectedVersion"] = dict(expected_version) if isinstance(expected_version, Mapping) else expected_version
        return self._write("POST", "/v1/events", body)["events"]

    def subscribe(self, *, from_seq: Optional[int] = None, types: Optional[Sequence[str]] = None,
                  streams: Optional[Sequence[str]] = None, reconnect: bool = True,
                  reconnect_for: float = 30.0) -> Iterator[StoredEvent]:
        """Events as they become durable (Server-Sent Events), from ``from_seq`` (default: the next one).

        After a dropped connection or a server restart it reconnects and resumes after the last seq
        it delivered (``Last-Event-ID``): no gaps, no duplicates. It gives up with
        ``ServerUnavailableError`` when no server has answered for ``reconnect_for`` seconds.
        Close the generator (or leave the ``for`` loop) to stop.
        """
        # "from now" is pinned to the head at the call, so a reconnect cannot skip what came between
        last = (self.head() if from_seq is None else from_seq - 1)
        down_since: Optional[float] = None
        while True:
            query: Dict[str, Any] = {"types": types, "streams": streams, "fromSeq": last + 1}
            try:
                conn, resp = self._transport.stream("/v1/subscribe", query=query)
            except ServerUnavailableError:
                if not reconnect:
                    raise
                now = time.monotonic()
                down_since = down_since or now
                if now - down_since > reconnect_for:
                    raise
                self._transport.forget_endpoint()
                time.sleep(0.05)
                continue
            down_since = None
            try:
                for message in iter_sse(resp):
                    if message["event"] == "error":
                        raise error_from_body(500, json.loads(message["data"]))
                    if not message["data"]:
                        continue
                    event = json.loads(message["data"])
                    seq = event.get("seq")
                    if isinstance(seq, int):
                        if seq <= last:
                            continue
                        last = seq
                    yield event
            except DISCONNECTS:
                pass
            finally:
                conn.close()
            if not reconnect:
                return
