"""subscribe(): Server-Sent Events, filtered, resumed after a server restart without gaps or duplicates."""
from __future__ import annotations

import threading
import unittest
from typing import List

from _support import Server, ServerTestCase
from pygubuai_store import ServerUnavailableError, StoreClient


def collect(gen, n: int, out: List[dict], done: threading.Event) -> None:
    try:
        for ev in gen:
            out.append(ev)
            if len(out) >= n:
                break
    finally:
        gen.close()
        done.set()


class SubscribeTest(ServerTestCase):
    def test_new_events_arrive_in_order_from_now(self) -> None:
        c = StoreClient()
        c.register_project("sub-1", self.project_dir("sub-1"))
        head = c.head()
        got: List[dict] = []
        done = threading.Event()
        t = threading.Thread(target=collect, args=(c.subscribe(), 3, got, done), daemon=True)
        t.start()
        w = StoreClient()
        for i in range(3):
            w.record("sub-1", "build", f"n{i}")
        self.assertTrue(done.wait(30), f"only {len(got)} events arrived")
        self.assertEqual([e["seq"] for e in got], [head + 1, head + 2, head + 3])
        self.assertEqual([e["data"]["description"] for e in got], ["n0", "n1", "n2"])

    def test_from_seq_replays_and_types_filter(self) -> None:
        c = StoreClient()
        c.register_project("sub-2", self.project_dir("sub-2"))
        c.record("sub-2", "a", "x")
        c.update_project("sub-2", description="y")
        gen = c.subscribe(from_seq=1, types=["project.updated"])
        first = next(gen)
        gen.close()
        self.assertEqual(first["type"], "project.updated")
        self.assertEqual(first["seq"], min(e["seq"] for e in c.events(type="project.updated")))

    def test_without_reconnect_a_missing_server_raises(self) -> None:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            gen = StoreClient(socket=tmp + "/none.sock").subscribe(from_seq=1, reconnect=False)
            with self.assertRaises(ServerUnavailableError):
                next(gen)


class SubscribeRestartTest(unittest.TestCase):
    def test_resumes_after_a_server_restart_without_gaps_or_duplicates(self) -> None:
        server = Server().start()
        self.addCleanup(server.cleanup)
        c = StoreClient(server.store)
        c.register_project("restart", server.home.as_posix())
        got: List[dict] = []
        done = threading.Event()
        t = threading.Thread(target=collect, args=(StoreClient(server.store).subscribe(from_seq=1, reconnect_for=60), 41, got, done), daemon=True)
        t.start()
        for i in range(20):
            c.record("restart", "a", f"before {i}")
        server.stop()
        server.start()
        c2 = StoreClient(server.store)
        for i in range(20):
            c2.record("restart", "a", f"after {i}")
        self.assertTrue(done.wait(60), f"only {len(got)} events arrived")
        seqs = [e["seq"] for e in got]
        self.assertEqual(seqs, list(range(1, 42)))
        self.assertEqual(got[-1]["data"]["description"], "after 19")


if __name__ == "__main__":
    unittest.main()
