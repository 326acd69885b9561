"""Errors carry the server's code and HTTP status, as exception classes a caller can catch."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from _support import ServerTestCase
from pygubuai_store import (
    ProjectExistsError,
    ProjectNotFoundError,
    ServerUnavailableError,
    StoreClient,
    StoreError,
    ValidationFailedError,
)
from pygubuai_store._transport import UnixHTTPConnection
from pygubuai_store.errors import error_from_body


class ErrorMappingTest(ServerTestCase):
    def setUp(self) -> None:
        self.c = StoreClient()
        self.addCleanup(self.c.close)

    def raw(self, method: str, path: str, body: bytes, content_type: str = "application/json"):
        conn = UnixHTTPConnection(self.c.endpoint.socket or "", timeout=30)
        try:
            try:
                conn.request(method, path, body=body, headers={"Content-Type": content_type})
            except BrokenPipeError:
                pass  # refused before the whole body was read: the answer is still there
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read())
        finally:
            conn.close()

    def test_not_found_is_a_value_error_with_404(self) -> None:
        with self.assertRaises(ProjectNotFoundError) as cm:
            self.c.history("ghost")
        self.assertIsInstance(cm.exception, ValueError)
        self.assertEqual((cm.exception.code, cm.exception.status), ("PROJECT_NOT_FOUND", 404))
        self.assertIn("ghost", cm.exception.message)
        self.assertIn("(PROJECT_NOT_FOUND)", str(cm.exception))

    def test_exists_is_409(self) -> None:
        d = self.project_dir("dup")
        self.c.register_project("dup", d)
        with self.assertRaises(ProjectExistsError) as cm:
            self.c.register_project("dup", d)
        self.assertEqual(cm.exception.status, 409)
        self.assertTrue(cm.exception.hint)

    def test_schema_refusals_are_validation_failed_400(self) -> None:
        with self.assertRaises(ValidationFailedError) as cm:
            self.c.register_project("x" * 5000, "/tmp")
        self.assertEqual((cm.exception.code, cm.exception.status), ("VALIDATION_FAILED", 400))
        with self.assertRaises(StoreError) as cm2:
            self.c._transport.request("POST", "/v1/projects", {"name": "n"})  # no path
        self.assertEqual(cm2.exception.code, "VALIDATION_FAILED")

    def test_other_codes_arrive_as_store_errors(self) -> None:
        with self.assertRaises(StoreError) as cm:
            self.c.template_files("no-such-template")
        self.assertEqual((cm.exception.code, cm.exception.status), ("TEMPLATE_NOT_FOUND", 404))
        with self.assertRaises(StoreError) as cm:
            self.c._transport.request("GET", "/v1/no-such-route")
        self.assertEqual((cm.exception.code, cm.exception.status), ("ROUTE_NOT_FOUND", 404))
        with self.assertRaises(StoreError) as cm:
            self.c.stats(as_of="not a time")
        self.assertEqual(cm.exception.code, "INVALID_ARGUMENT")

    def test_garbage_json_is_400_and_an_oversized_body_413(self) -> None:
        status, body = self.raw("POST", "/v1/projects", b'{"name": "x", "path": ')
        self.assertEqual((status, body["error"]["code"]), (400, "INVALID_JSON"))
        big = json.dumps({"name": "big", "path": "/tmp", "description": "x" * (9 * 1024 * 1024)}).encode()
        status, body = self.raw("POST", "/v1/projects", big)
        self.assertEqual((status, body["error"]["code"]), (413, "BODY_TOO_LARGE"))
        self.assertIsNone(self.c.project("big"))
        # the client reads that answer too
        with self.assertRaises(StoreError) as cm:
            self.c.register_project("big", "/tmp", description="x" * (9 * 1024 * 1024))
        self.assertEqual((cm.exception.code, cm.exception.status), ("BODY_TOO_LARGE", 413))

    def test_error_body_mapping(self) -> None:
        e = error_from_body(409, {"error": {"code": "PROJECT_EXISTS", "message": "m", "hint": "h"}})
        self.assertIsInstance(e, ProjectExistsError)
        self.assertEqual((e.code, e.message, e.hint, e.status), ("PROJECT_EXISTS", "m", "h", 409))
        e = error_from_body(502, "<html>")
        self.assertEqual(e.code, "SERVER_PROTOCOL")


class NoServerErrorsTest(unittest.TestCase):
    def test_a_missing_socket_is_server_unavailable(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            c = StoreClient(socket=os.path.join(tmp, "nothing.sock"))
            with self.assertRaises(ServerUnavailableError) as cm:
                c.stats()
            self.assertEqual(cm.exception.code, "SERVER_UNAVAILABLE")
            self.assertIsInstance(cm.exception, ConnectionError)

    def test_a_stale_descriptor_of_a_dead_server_is_not_running(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            dead = subprocess.Popen([sys.executable, "-c", "pass"])
            dead.wait()
            store = Path(tmp) / "store"
            Path(str(store) + ".server.json").write_text(json.dumps({"pid": dead.pid, "socket": os.path.join(tmp, "s.sock")}))
            with self.assertRaises(ServerUnavailableError) as cm:
                StoreClient(store).stats()
            self.assertEqual(cm.exception.code, "SERVER_UNAVAILABLE")
            self.assertIn("stale", cm.exception.message)


if __name__ == "__main__":
    unittest.main()
