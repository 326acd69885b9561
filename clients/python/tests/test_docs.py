"""The examples of docs/python-client.md, run against a real server so they cannot rot."""
from __future__ import annotations

import re
import unittest

from _support import ROOT, ServerTestCase
from pygubuai_store import Registry, StoreClient

DOC = (ROOT / "docs" / "python-client.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", DOC, re.S)


class DocExamplesTest(ServerTestCase):
    def test_the_five_line_registry_replacement_runs(self) -> None:
        block = BLOCKS[0]
        self.assertEqual(len(block.strip().splitlines()), 5)
        exec(compile(block, "docs/python-client.md", "exec"), {})
        reg = Registry()
        self.assertEqual(reg.get_active(), "myapp")
        self.assertEqual(reg.get_project_metadata("myapp")["tags"], ["forms", "auth"])  # type: ignore[index]
        self.assertEqual([e["action"] for e in StoreClient().history("myapp")], ["file_changed"])

    def test_the_subscribe_example_compiles_and_names_real_methods(self) -> None:
        compile(BLOCKS[1], "docs/python-client.md", "exec")
        self.assertTrue(callable(StoreClient.subscribe))
        for name in re.findall(r"`(\w+)\(", DOC):
            if name[0].islower() and name not in ("print", "close", "str"):
                self.assertTrue(hasattr(StoreClient, name) or hasattr(Registry, name) or name in ("add_event", "get_history"), name)


if __name__ == "__main__":
    unittest.main()
