"""Errors of the client: every one carries the store's stable error code (see the README's table)."""
from __future__ import annotations

from typing import Any, Dict, Optional


class StoreError(Exception):
    """An error the server answered with (``{"error": {"code", "message", "hint"}}``), or one met on the way.

    ``code`` is the store's code (``PROJECT_NOT_FOUND``, ``VALIDATION_FAILED``, …); ``status`` the HTTP
    status (``None`` when no answer came); ``hint`` what to do about it, when the server gave one.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        hint: Optional[str] = None,
        status: Optional[int] = None,
        details: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message
        self.hint = hint
        self.status = status
        self.details = details or {}


class ProjectNotFoundError(StoreError, ValueError):
    """No live project has that name. A ``ValueError`` too, as the Python tool's Registry raises."""


class ProjectExistsError(StoreError, ValueError):
    """A live project already has that name."""


class ValidationFailedError(StoreError, ValueError):
    """An argument does not match the store's schema (too long, control characters, …)."""


class ServerUnavailableError(StoreError, ConnectionError):
    """No server answers for that store (none running, or it went away and did not come back)."""


_BY_CODE = {
    "PROJECT_NOT_FOUND": ProjectNotFoundError,
    "PROJECT_EXISTS": ProjectExistsError,
    "VALIDATION_FAILED": ValidationFailedError,
    "INVALID_ARGUMENT": ValidationFailedError,
}


def error_from_body(status: int, body: Any) -> StoreError:
    """The exception for an error answer; a body without a coded error is itself a protocol error."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict) or not isinstance(err.get("code"), str):
        return StoreError("SERVER_PROTOCOL", f"the server answered {status} without a coded error", status=status)
    code = err["code"]
    cls = _BY_CODE.get(code, StoreError)
    details = {k: v for k, v in err.items() if k not in ("code", "message", "hint")}
    return cls(code, str(err.get("message", "")), hint=err.get("hint"), status=status, details=details)
