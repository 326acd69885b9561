"""HTTP to a running ``pygubu-db serve``: over its Unix socket, or over TCP with the bearer token.

Standard library only: ``http.client`` with a small connection class that connects an AF_UNIX
socket. One keep-alive connection per thread; a connection the server closed while idle is
reopened once, transparently.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import threading
import urllib.parse
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Tuple

from .errors import ServerUnavailableError, StoreError, error_from_body

USER_AGENT = "pygubuai-store-python/0.1.0"


class UnixHTTPConnection(http.client.HTTPConnection):
    """``HTTPConnection`` whose socket is a Unix domain socket at ``socket_path``."""

    def __init__(self, socket_path: str, timeout: Optional[float] = None) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


@dataclass(frozen=True)
class Endpoint:
    """Where a server listens: a Unix socket path, or a TCP host and port (which need the token)."""

    socket: Optional[str] = None
    host: Optional[str] = None
    port: Optional[int] = None
    token: Optional[str] = None

    def describe(self) -> str:
        return f"unix:{self.socket}" if self.socket else f"http://{self.host}:{self.port}"

    def connection(self, timeout: Optional[float]) -> http.client.HTTPConnection:
        if self.socket:
            return UnixHTTPConnection(self.socket, timeout=timeout)
        return http.client.HTTPConnection(self.host or "127.0.0.1", self.port, timeout=timeout)


def endpoint_from_url(url: str, token: Optional[str]) -> Endpoint:
    """``http://host:port`` (TCP) or ``unix:/path/to.sock`` / a plain socket path."""
    if url.startswith("unix:"):
        return Endpoint(socket=url[len("unix:"):], token=token)
    if url.startswith("/"):
        return Endpoint(socket=url, token=token)
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise StoreError("INVALID_ARGUMENT", f"not a server address: {url!r}", hint="give http://HOST:PORT or unix:/path/to/socket")
    return Endpoint(host=parts.hostname, port=parts.port or 80, token=token)


DISCONNECTS: Tuple[type, ...] = (
    ConnectionError,  # refused, reset, aborted, broken pipe
    FileNotFoundError,  # the socket file is gone
    http.client.RemoteDisconnected,
    http.client.BadStatusLine,
    socket.timeout,
)


class Transport:
    """Sends JSON requests to one server and turns error answers into ``StoreError``s."""

    def __init__(self, resolve: Callable[[], Endpoint], timeout: Optional[float] = 30.0) -> None:
        self._resolve = resolve
        self._endpoint: Optional[Endpoint] = None
        self.timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: "weakref.WeakSet[http.client.HTTPConnection]" = weakref.WeakSet()

    @property
    def endpoint(self) -> Endpoint:
        with self._lock:
            if self._endpoint is None:
                self._endpoint = self._resolve()
            return self._endpoint

    def forget_endpoint(self) -> None:
        """Look the server up again on the next request (it may have restarted elsewhere)."""
        with self._lock:
            self._endpoint = None
        self._drop()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self.endpoint.connection(self.timeout)
            self._local.conn = conn
            with self._lock:
                self._open.add(conn)
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        h = {"Accept": "application/json", "User-Agent": USER_AGENT}
        token = self.endpoint.token
        if token:
            h["Authorization"] = f"Bearer {token}"
        if extra:
            h.update(extra)
        return h

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: Optional[Mapping[str, Any]] = None,
        retry: bool = True,
    ) -> Any:
        """Send one request; return the decoded JSON answer (None for 204), or raise its StoreError.

        ``retry``: the request may be sent again when the connection broke before an answer came
        (reads, and writes that carry an event id so that a second delivery is a no-op).
        """
        url = path + _query_string(query)
        payload = None if body is None else json.dumps(body).encode("utf-8")
        attempts = 2 if retry else 1
        for attempt in range(attempts):
            conn = self._conn()
            fresh = conn.sock is None
            sent = False
            try:
                headers = self.headers({"Content-Type": "application/json"} if payload is not None else None)
                try:
                    conn.request(method, url, body=payload, headers=headers)
                except (BrokenPipeError, ConnectionResetError):
                    # the server may refuse a body before reading it all (413): its answer is still there
                    if conn.sock is None:
                        raise
                sent = True
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
                if resp.getheader("Connection", "").lower() == "close":
                    self._drop()
            except DISCONNECTS as exc:
                self._drop()
                # a kept-alive connection the server closed while idle: once more on a fresh one
                if attempt + 1 < attempts and (not fresh or retry):
                    if fresh:
                        self.forget_endpoint()
                    continue
                if sent and not retry:
                    raise ServerUnavailableError(
                        "SERVER_GONE",
                        f"the store server at {self.endpoint.describe()} went away during {method} {path}; it may or may not have been applied",
                        hint="look before doing it again (`pygubu-db server status`)",
                    ) from exc
                raise ServerUnavailableError(
                    "SERVER_UNAVAILABLE",
                    f"no answer from the store server at {self.endpoint.describe()}: {exc.__class__.__name__}: {exc}",
                    hint="is `pygubu-db serve` running? (`pygubu-db server status`)",
                ) from exc
            return _decode(status, data)
        raise AssertionError("unreachable")

    def stream(self, path: str, *, query: Optional[Mapping[str, Any]] = None, headers: Optional[Mapping[str, str]] = None,
               timeout: Optional[float] = None) -> Tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Open a long response (Server-Sent Events) on its own connection; the caller closes it."""
        conn = self.endpoint.connection(timeout)
        try:
            conn.request("GET", path + _query_string(query), headers=self.headers({"Accept": "text/event-stream", **(headers or {})}))
            resp = conn.getresponse()
        except DISCONNECTS as exc:
            conn.close()
            raise ServerUnavailableError(
                "SERVER_UNAVAILABLE",
                f"no answer from the store server at {self.endpoint.describe()}: {exc.__class__.__name__}: {exc}",
                hint="is `pygubu-db serve` running? (`pygubu-db server status`)",
            ) from exc
        if resp.status >= 400:
            data = resp.read()
            conn.close()
            _decode(resp.status, data)
        return conn, resp

    def close(self) -> None:
        """Close every connection this transport opened (in any thread)."""
        with self._lock:
            conns = list(self._open)
            self._open.clear()
        for conn in conns:
            conn.close()
        self._local = threading.local()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def _query_string(query: Optional[Mapping[str, Any]]) -> str:
    if not query:
        return ""
    pairs = []
    for k, v in query.items():
        if v is None:
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        if isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        pairs.append((k, str(v)))
    return "?" + urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote) if pairs else ""


def _decode(status: int, data: bytes) -> Any:
    body: Any = None
    if data:
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            if status < 400:
                raise StoreError("SERVER_PROTOCOL", f"the server answered {status} with something that is not JSON", status=status)
    if status >= 400:
        raise error_from_body(status, body)
    return body


def iter_sse(resp: http.client.HTTPResponse) -> Iterator[Dict[str, str]]:
    """Server-Sent Events of a response, as ``{"id", "event", "data"}`` dicts (comments skipped)."""
    fields: Dict[str, str] = {}
    data_lines = []
    while True:
        raw = resp.readline()
        if not raw:
            return
        line = raw.decode("utf-8").rstrip("\r\n")
        if line == "":
            if data_lines or fields:
                yield {"id": fields.get("id", ""), "event": fields.get("event", "message"), "data": "\n".join(data_lines)}
            fields = {}
            data_lines = []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            data_lines.append(value)
        elif name in ("id", "event", "retry"):
            fields[name] = value


def store_home(env: Optional[Mapping[str, str]] = None) -> Path:
    """``$PYGUBUAI_HOME`` or ``~/.pygubuai``, as the CLI finds it."""
    env = os.environ if env is None else env
    home = env.get("PYGUBUAI_HOME")
    return Path(home).expanduser().resolve() if home else (Path.home() / ".pygubuai").resolve()
