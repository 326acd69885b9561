"""WorkflowTracker: the Python tool's add_event / get_history, against a real server."""
from __future__ import annotations

import unittest

from _support import ServerTestCase
from pygubuai_store import ProjectNotFoundError, Registry, WorkflowTracker


class WorkflowTrackerTest(ServerTestCase):
    def test_add_event_then_get_history_in_order_with_the_tool_shape(self) -> None:
        d = self.project_dir("wf")
        Registry().add_project("wf", d)
        tracker = WorkflowTracker(d)
        self.assertEqual(tracker.get_history(), [])
        self.assertIsNone(tracker.add_event("file_changed", "File wf.ui changed"))
        tracker.add_event("ui_generated", "generated")
        history = tracker.get_history()
        self.assertEqual([h["action"] for h in history], ["file_changed", "ui_generated"])
        self.assertEqual(history[0]["description"], "File wf.ui changed")
        self.assertEqual(sorted(history[0].keys()), ["action", "description", "timestamp"])
        self.assertRegex(history[0]["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")
        # the CLI reads the same history
        out = self.server.cli("history", "wf", "--json")
        self.assertIn("ui_generated", out.stdout)

    def test_the_store_keeps_more_than_the_files_hundred(self) -> None:
        d = self.project_dir("wf-many")
        Registry().add_project("wf-many", d)
        tracker = WorkflowTracker(d)
        for i in range(105):
            tracker.add_event("build", f"run {i}")
        self.assertEqual(len(tracker.get_history()), 105)
        last = tracker.get_history(limit=3)
        self.assertEqual([h["description"] for h in last], ["run 102", "run 103", "run 104"])

    def test_tracker_finds_the_project_by_its_path_even_relative(self) -> None:
        d = self.project_dir("wf-rel")
        Registry().add_project("wf-rel", d)
        import os

        cwd = os.getcwd()
        os.chdir(d)
        try:
            tracker = WorkflowTracker(".")
            self.assertEqual(tracker.project, "wf-rel")
        finally:
            os.chdir(cwd)

    def test_unregistered_directory_is_project_not_found(self) -> None:
        tracker = WorkflowTracker(self.project_dir("never-registered"))
        with self.assertRaises(ProjectNotFoundError) as cm:
            tracker.add_event("x", "y")
        self.assertEqual(cm.exception.code, "PROJECT_NOT_FOUND")


if __name__ == "__main__":
    unittest.main()
