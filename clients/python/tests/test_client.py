"""StoreClient beyond the registry: templates, analytics, the log, append, stats, verify."""
from __future__ import annotations

import unittest

from _support import ServerTestCase
from pygubuai_store import ProjectExistsError, StoreClient, StoreError

UI = "<?xml version='1.0' encoding='utf-8'?>\n<interface version=\"1.2\"><object class=\"ttk.Frame\" id=\"main\"><child><object class=\"ttk.Button\" id=\"ok\" /></child></object></interface>\n"


class ClientTest(ServerTestCase):
    def setUp(self) -> None:
        self.c = StoreClient()
        self.addCleanup(self.c.close)

    def test_handshake_names_versions_store_and_head(self) -> None:
        h = self.c.handshake()
        self.assertEqual(h["api"], 1)
        self.assertEqual(h["location"], str(self.server.store))
        self.assertIsInstance(h["storeFormat"], int)
        self.assertEqual(self.c.head(), h["head"])

    def test_project_commands_round_trip(self) -> None:
        d = self.project_dir("cl-proj")
        row = self.c.register_project("cl-proj", d, description="x", tags=["t1"])
        self.assertEqual((row["name"], row["path"], row["tags"]), ("cl-proj", d, ["t1"]))
        self.assertIsInstance(row["id"], str)
        with self.assertRaises(ProjectExistsError) as cm:
            self.c.register_project("cl-proj", d)
        self.assertEqual((cm.exception.code, cm.exception.status), ("PROJECT_EXISTS", 409))
        self.assertEqual([p["name"] for p in self.c.projects(tag="t1")], ["cl-proj"])
        renamed = self.c.rename_project("cl-proj", "cl-proj-2")
        self.assertEqual(renamed["id"], row["id"])
        self.assertIsNone(self.c.project("cl-proj"))
        self.assertEqual(self.c.update_project("cl-proj-2", path=d + "/sub")["path"], d + "/sub")
        removed = self.c.remove_project("cl-proj-2")
        self.assertEqual(removed["id"], row["id"])
        self.assertIsNone(self.c.project("cl-proj-2"))

    def test_as_of_reads_the_past(self) -> None:
        self.c.register_project("past", self.project_dir("past"), description="before")
        seq = self.c.head()
        self.c.update_project("past", description="after")
        self.assertEqual(self.c.project("past", as_of=seq)["description"], "before")  # type: ignore[index]
        self.assertEqual(self.c.project("past")["description"], "after")  # type: ignore[index]

    def test_a_retried_write_with_the_same_event_id_lands_once(self) -> None:
        self.c.register_project("idem", self.project_dir("idem"))
        before = self.c.head()
        self.c.record("idem", "build", "once", event_id="idem-event-1")
        self.c.record("idem", "build", "once", event_id="idem-event-1")
        self.assertEqual(self.c.head(), before + 1)
        self.assertEqual([h["description"] for h in self.c.history("idem")], ["once"])

    def test_history_record_with_user_and_timestamp(self) -> None:
        self.c.register_project("hist", self.project_dir("hist"))
        ev = self.c.record("hist", "file_changed", "File a.ui changed", user="me", timestamp="2025-01-02T03:04:05+00:00")
        self.assertEqual(ev["type"], "workflow.recorded")
        entry = self.c.history("hist")[-1]
        self.assertEqual((entry["user"], entry["timestamp"]), ("me", "2025-01-02T03:04:05+00:00"))

    def test_templates_publish_search_rate_files_deprecate_install(self) -> None:
        res = self.c.publish_template("py-login", "1.0.0", {"login.ui": UI}, author="tester", description="Login dialog", tags=["forms"])
        self.assertTrue(res["published"])
        self.assertEqual(res["template"]["name"], "py-login")
        again = self.c.publish_template("py-login", "1.0.0", {"login.ui": UI}, author="tester", description="Login dialog", tags=["forms"])
        self.assertFalse(again["published"])
        self.assertIn("py-login", [t["name"] for t in self.c.templates(tag="forms")])
        self.c.publish_template("py-login", "1.1.0", {"login.ui": UI, "README.md": "hi"}, author="tester")
        self.assertIn("py-login", [t["name"] for t in self.c.templates("login")])
        self.assertEqual([v["version"] for v in self.c.template_versions("py-login")], ["1.1.0", "1.0.0"])  # newest first
        files = self.c.template_files("py-login", "^1.0.0 <1.1.0")
        self.assertEqual(files["version"]["version"], "1.0.0")
        self.assertEqual([(f["path"], f["content"]) for f in files["files"]], [("login.ui", UI)])
        rated = self.c.rate_template("py-login", 4, user="ann", review="neat")
        self.assertTrue(rated["rated"])
        self.assertEqual([r["stars"] for r in self.c.template_reviews("py-login")], [4])
        dest = self.server.home / "installed"
        dest.mkdir()
        out = self.c.install_template("py-login", dest, range="1.0.0")
        self.assertEqual((dest / "py-login" / "login.ui").read_text(), UI)
        self.assertEqual(out["version"]["version"], "1.0.0")
        self.assertEqual(self.c.template("py-login")["downloads"], 1)  # type: ignore[index]
        self.c.deprecate_template("py-login", reason="use py-login2")
        self.assertNotIn("py-login", [t["name"] for t in self.c.templates("login")])
        self.assertIn("py-login", [t["name"] for t in self.c.templates("login", all=True)])
        self.assertIsNone(self.c.template("no-such-template"))
        with self.assertRaises(StoreError) as cm:
            self.c.rate_template("py-login", 9, user="ann")
        self.assertEqual(cm.exception.code, "TEMPLATE_RATING_INVALID")

    def test_analytics_metrics_trend_widgets_complexity(self) -> None:
        self.c.register_project("ana", self.project_dir("ana"))
        ev = self.c.record_metric("build_seconds", 2.5, project="ana")
        self.assertEqual(ev["type"], "analytics.recorded")
        trend = self.c.trend(metric="build_seconds", project="ana", days=7)
        self.assertIsInstance(trend, dict)
        self.assertEqual(sum(p.get("count", 0) for p in trend["points"]), 1)
        self.assertIsInstance(self.c.widget_usage(top=5), list)
        self.assertIsNone(self.c.complexity("ana"))
        with self.assertRaises(StoreError) as cm:
            self.c.record_metric("m", float("inf"))
        self.assertIn(cm.exception.code, ("INVALID_ARGUMENT", "VALIDATION_FAILED", "INVALID_JSON"))

    def test_log_read_event_and_append_with_expected_versions(self) -> None:
        self.c.register_project("raw", self.project_dir("raw"))
        pid = self.c.project("raw")["id"]  # type: ignore[index]
        stream = f"workflow-{pid}"
        ev = {"stream": stream, "type": "workflow.recorded", "data": {"timestamp": "2025-01-01T00:00:00+00:00", "action": "a", "description": "raw"}}
        stored = self.c.append([ev, ev], expected_version="no_stream")
        self.assertEqual([e["seq"] for e in stored], [stored[0]["seq"], stored[0]["seq"] + 1])
        with self.assertRaises(StoreError) as cm:
            self.c.append([ev], expected_version=0)
        self.assertEqual((cm.exception.code, cm.exception.status), ("CONCURRENCY_CONFLICT", 409))
        self.c.append([ev], expected_version={stream: 2})
        got = self.c.event(stored[0]["seq"])
        self.assertEqual(got["id"], stored[0]["id"])  # type: ignore[index]
        self.assertIsNone(self.c.event(10**9))
        page = self.c.events(stream=stream)
        self.assertEqual(len(page), 3)
        self.assertEqual(self.c.events(from_seq=stored[0]["seq"], limit=1)[0]["seq"], stored[0]["seq"])
        with self.assertRaises(StoreError) as cm:
            self.c.append([{"stream": stream, "type": "workflow.recorded", "data": {"action": 1}}])
        self.assertEqual(cm.exception.code, "VALIDATION_FAILED")

    def test_stats_and_verify(self) -> None:
        stats = self.c.stats()
        self.assertEqual(stats["events"], self.c.head())
        self.assertTrue(self.c.verify()["ok"])


if __name__ == "__main__":
    unittest.main()
