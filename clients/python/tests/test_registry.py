"""Registry: the Python tool's method names and return shapes, against a real server."""
from __future__ import annotations

import os
import unittest

from _support import ServerTestCase, pygubuai_store
from pygubuai_store import ProjectNotFoundError, Registry, StoreError

KEYS = ["path", "created", "modified", "description", "tags"]


class RegistryTest(ServerTestCase):
    def test_no_argument_registry_finds_the_default_store_server(self) -> None:
        reg = Registry()
        self.assertEqual(reg.client.endpoint, pygubuai_store.discover(self.server.store))
        d = self.project_dir("default-one")
        reg.add_project("default-one", d)
        # the CLI on the same store sees what the client wrote
        out = self.server.cli("project", "show", "default-one", "--json")
        self.assertIn('"default-one"', out.stdout)

    def test_add_get_and_metadata_shapes(self) -> None:
        reg = Registry()
        d = self.project_dir("shapes")
        self.assertIsNone(reg.add_project("shapes", d, "Login form", ["forms", "auth"]))
        self.assertEqual(reg.get_project("shapes"), d)
        meta = reg.get_project_metadata("shapes")
        assert meta is not None
        self.assertEqual(list(meta.keys()), KEYS)
        self.assertEqual(meta["path"], d)
        self.assertEqual(meta["description"], "Login form")
        self.assertEqual(meta["tags"], ["forms", "auth"])
        self.assertRegex(meta["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")
        self.assertIsInstance(meta["modified"], str)

    def test_add_resolves_relative_paths_as_the_tool_does(self) -> None:
        reg = Registry()
        d = self.project_dir("relative")
        cwd = os.getcwd()
        os.chdir(os.path.dirname(d))
        try:
            reg.add_project("relative", "./relative")
        finally:
            os.chdir(cwd)
        self.assertEqual(reg.get_project("relative"), d)

    def test_add_defaults_and_re_add_replaces_the_entry(self) -> None:
        reg = Registry()
        d1, d2 = self.project_dir("again-1"), self.project_dir("again-2")
        reg.add_project("again", d1, "first", ["x"])
        reg.add_project("again", d2)
        meta = reg.get_project_metadata("again")
        assert meta is not None
        self.assertEqual((meta["path"], meta["description"], meta["tags"]), (d2, "", []))

    def test_missing_project_is_none(self) -> None:
        reg = Registry()
        self.assertIsNone(reg.get_project("no-such-project"))
        self.assertIsNone(reg.get_project_metadata("no-such-project"))

    def test_list_projects_and_with_metadata(self) -> None:
        reg = Registry()
        for n in ("list-b", "list-a", "list-c"):
            reg.add_project(n, self.project_dir(n), f"about {n}", [n])
        listed = reg.list_projects()
        self.assertIsInstance(listed, dict)
        for n in ("list-a", "list-b", "list-c"):
            self.assertEqual(listed[n], self.project_dir(n))
        full = reg.list_projects_with_metadata()
        self.assertEqual(set(listed), set(full))
        self.assertEqual(list(full["list-a"].keys()), KEYS)
        self.assertEqual(full["list-b"]["tags"], ["list-b"])

    def test_search_projects_by_name_description_and_tag(self) -> None:
        reg = Registry()
        reg.add_project("calculator", self.project_dir("calculator"), "Pocket arithmetic", ["math"])
        reg.add_project("todo-app", self.project_dir("todo-app"), "Task list", ["productivity"])
        self.assertEqual(list(reg.search_projects("calculator")), ["calculator"])
        self.assertEqual(list(reg.search_projects("pocket")), ["calculator"])
        self.assertEqual(list(reg.search_projects("PRODUCTIVITY")), ["todo-app"])
        hit = reg.search_projects("arith")["calculator"]
        self.assertEqual(list(hit.keys()), KEYS)
        self.assertEqual(reg.search_projects("zzzz-nothing"), {})

    def test_update_project_metadata(self) -> None:
        reg = Registry()
        reg.add_project("upd", self.project_dir("upd"), "old", ["a"])
        before = reg.get_project_metadata("upd")
        assert before is not None
        reg.update_project_metadata("upd", description="new")
        after = reg.get_project_metadata("upd")
        assert after is not None
        self.assertEqual((after["description"], after["tags"]), ("new", ["a"]))
        self.assertGreaterEqual(after["modified"], before["modified"])
        reg.update_project_metadata("upd", tags=["b", "c"])
        self.assertEqual(reg.get_project_metadata("upd")["tags"], ["b", "c"])  # type: ignore[index]
        reg.update_project_metadata("upd")  # nothing to change: no error, nothing written
        self.assertEqual(reg.get_project_metadata("upd")["description"], "new")  # type: ignore[index]

    def test_update_and_set_active_of_unknown_project_raise_value_error_with_the_code(self) -> None:
        reg = Registry()
        for call in (lambda: reg.update_project_metadata("ghost", description="x"), lambda: reg.set_active("ghost"),
                     lambda: reg.update_project_metadata("ghost")):
            with self.assertRaises(ValueError) as cm:
                call()
            self.assertIsInstance(cm.exception, ProjectNotFoundError)
            self.assertEqual(cm.exception.code, "PROJECT_NOT_FOUND")  # type: ignore[attr-defined]

    def test_set_and_get_active(self) -> None:
        reg = Registry()
        reg.add_project("act-1", self.project_dir("act-1"))
        reg.add_project("act-2", self.project_dir("act-2"))
        reg.set_active("act-1")
        self.assertEqual(reg.get_active(), "act-1")
        reg.set_active("act-2")
        self.assertEqual(Registry().get_active(), "act-2")

    def test_values_the_store_refuses_carry_its_code(self) -> None:
        reg = Registry()
        with self.assertRaises(StoreError) as cm:
            reg.add_project("bad\u0000name", self.project_dir("bad"))
        self.assertEqual(cm.exception.code, "VALIDATION_FAILED")
        self.assertEqual(cm.exception.status, 400)
        self.assertIsNone(reg.get_project("bad\u0000name"))

    def test_unicode_names_round_trip(self) -> None:
        reg = Registry()
        name = "caf\u00e9 / \U0001F600 ?#&"
        reg.add_project(name, self.project_dir("unicode"), "d\u00e9j\u00e0", ["\u00fcml"])
        self.assertEqual(reg.get_project(name), self.project_dir("unicode"))
        self.assertIn(name, reg.list_projects())


class NoServerTest(unittest.TestCase):
    def test_registry_without_a_server_says_so_with_a_code(self) -> None:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            reg = Registry(os.path.join(tmp, "store"))
            with self.assertRaises(pygubuai_store.ServerUnavailableError) as cm:
                reg.list_projects()
            self.assertEqual(cm.exception.code, "SERVER_UNAVAILABLE")
            self.assertIn("pygubu-db serve", cm.exception.hint or "")


if __name__ == "__main__":
    unittest.main()
