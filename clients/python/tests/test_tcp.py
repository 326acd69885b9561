"""TCP: every request needs the bearer token (401 without it or with a wrong one)."""
from __future__ import annotations

import json
import unittest

from _support import ServerTestCase
from pygubuai_store import Registry, StoreClient, StoreError


class TcpTest(ServerTestCase):
    server_args = ["--port", "0"]

    def descriptor(self) -> dict:
        with open(str(self.server.store) + ".server.json") as f:
            return json.load(f)

    def url(self) -> str:
        d = self.descriptor()
        return f"http://{d.get('host') or '127.0.0.1'}:{d['port']}"

    def test_without_a_token_401(self) -> None:
        with self.assertRaises(StoreError) as cm:
            StoreClient(url=self.url()).stats()
        self.assertEqual((cm.exception.code, cm.exception.status), ("UNAUTHORIZED", 401))

    def test_a_wrong_token_401(self) -> None:
        with self.assertRaises(StoreError) as cm:
            StoreClient(url=self.url(), token="0" * 64).stats()
        self.assertEqual((cm.exception.code, cm.exception.status), ("UNAUTHORIZED", 401))

    def test_the_token_the_cli_shows_works(self) -> None:
        token = self.server.cli("server", "token").stdout.strip()
        reg = Registry(url=self.url(), token=token)
        reg.add_project("over-tcp", self.project_dir("over-tcp"), "via tcp")
        self.assertEqual(reg.get_project_metadata("over-tcp")["description"], "via tcp")  # type: ignore[index]
        # the same store through the socket
        self.assertEqual(Registry().get_project("over-tcp"), self.project_dir("over-tcp"))


if __name__ == "__main__":
    unittest.main()
