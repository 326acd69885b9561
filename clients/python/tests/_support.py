"""A real ``pygubu-db serve`` for the tests: the built bin, in a temporary HOME and PYGUBUAI_HOME."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(HERE.parent / "src"))

import pygubuai_store  # noqa: E402
from pygubuai_store import StoreClient, StoreError  # noqa: E402

BIN = ROOT / "dist" / "src" / "bin" / "pygubu-db.js"
NODE = os.environ.get("NODE", shutil.which("node") or "node")


class Server:
    """One server process on a store in a temporary home; ``stop()`` sends SIGTERM and waits."""

    def __init__(self, args: Optional[List[str]] = None, *, home: Optional[Path] = None, store: Optional[Path] = None) -> None:
        self._tmp = None if home else tempfile.TemporaryDirectory(prefix="pygubuai-py-")
        self.home = home or Path(self._tmp.name)  # type: ignore[union-attr]
        self.pygubuai_home = self.home / ".pygubuai"
        self.store = store or (self.pygubuai_home / "store")
        self.args = list(args or [])
        self.proc: Optional[subprocess.Popen] = None
        self.log = self.home / "server.log"

    @property
    def env(self) -> Dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", ""),
            "LANG": "C.UTF-8",
            "HOME": str(self.home),
            "PYGUBUAI_HOME": str(self.pygubuai_home),
            "PYGUBUAI_REGISTRY_PATH": str(self.home / ".pygubu-registry.json"),
        }

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``pygubu-db ARGS --store <store>`` as a user would (through the server when it is up)."""
        r = subprocess.run([NODE, str(BIN), *args, "--store", str(self.store)], env=self.env, cwd=str(ROOT),
                           capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError(f"pygubu-db {' '.join(args)} exited {r.returncode}: {r.stderr}")
        return r

    def start(self, timeout: float = 30.0) -> "Server":
        self.pygubuai_home.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "ab")
        self.proc = subprocess.Popen([NODE, str(BIN), "serve", "--store", str(self.store), *self.args], env=self.env,
                                     cwd=str(ROOT), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"pygubu-db serve exited {self.proc.returncode}: {self.log.read_text(errors='replace')}")
            try:
                with StoreClient(self.store, timeout=2) as c:
                    c.handshake()
                return self
            except StoreError:
                if time.monotonic() > deadline:
                    self.kill()
                    raise AssertionError(f"pygubu-db serve did not answer in {timeout} s: {self.log.read_text(errors='replace')}")
                time.sleep(0.05)

    def client(self, **kw) -> StoreClient:
        return StoreClient(self.store, **kw)

    def stop(self) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        code = self.proc.returncode
        self.proc = None
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def cleanup(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()


class ServerTestCase(unittest.TestCase):
    """One server per test class, on a fresh default store; the process env points at its home."""

    server: Server
    server_args: List[str] = []

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = Server(cls.server_args).start()
        cls._saved_env = {k: os.environ.get(k) for k in ("HOME", "PYGUBUAI_HOME")}
        os.environ["HOME"] = str(cls.server.home)
        os.environ["PYGUBUAI_HOME"] = str(cls.server.pygubuai_home)

    @classmethod
    def tearDownClass(cls) -> None:
        for k, v in cls._saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        code = cls.server.stop()
        log = cls.server.log.read_text(errors="replace")
        cls.server.cleanup()
        if code not in (0, None):
            raise AssertionError(f"the server exited {code} on SIGTERM: {log}")

    def project_dir(self, name: str) -> str:
        d = self.server.home / "projects" / name
        d.mkdir(parents=True, exist_ok=True)
        return str(d.resolve())
