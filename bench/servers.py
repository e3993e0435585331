"""Start and stop the servers under test, and wait until they answer.

Every server runs in its own session (process group), so stopping it reaches the workers
and query runners it started: SIGTERM to the group whose id is the PID we started, then
SIGKILL after a grace period. `Servers` is a context manager that stops everything it
started, also on Ctrl-C (KeyboardInterrupt) and on errors; `install_signal_handlers` turns
SIGTERM and SIGHUP into the same path. Servers bind 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
VENV_BIN = Path(sys.executable).parent
NAPGRAPH = VENV_BIN / "napgraph"
OXIGRAPH = VENV_BIN / "oxigraph"
PROBE = "ASK {}"


class ServerFailed(RuntimeError):
    """A server exited or did not answer in time; the message ends with its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A server process: how to start it, where it answers SPARQL, and its log."""

    name: str
    argv: list[str]
    port: int
    sparql_path: str
    log: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def root(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def endpoint(self) -> str:
        return self.root + self.sparql_path

    def query_url(self, query: str) -> str:
        """The GET URL that sends `query` to this server's SPARQL endpoint."""
        return f"{self.endpoint}?{urllib.parse.urlencode({'query': query})}"

    def start(self, timeout: float = 300.0) -> Server:
        """Start the process and wait until it answers `ASK {}`; raise ServerFailed if not."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env}, start_new_session=True)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        """Poll until the endpoint answers 200; raise ServerFailed if it exits or times out."""
        deadline = time.monotonic() + timeout
        url = self.query_url(PROBE)
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerFailed(f"{self.name} exited with status {self.process.returncode}"
                                   f"\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise ServerFailed(f"{self.name} did not answer within {timeout:g} s\n{self.log_tail()}")

    def pids(self) -> list[int]:
        """The PIDs of the server's process group (itself, workers, runners)."""
        if self.process is None:
            return []
        group = self.process.pid
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:  # field 5 of stat: the process group id
                found.append(int(entry.name))
        return sorted(found)

    def cpu_seconds(self) -> float:
        """CPU time used so far by every process of the server's group, including the
        processes that have ended: a query runner stopped for running too long is waited
        for by its worker, whose cutime/cstime then hold the runner's time."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += sum(int(value) for value in fields[11:15])  # u/s time, children's u/s
        return total / ticks

    def rss_bytes(self) -> int:
        """Resident memory of every process of the server's group, added up (a page shared
        by several processes counts once for each)."""
        return self._summed("status", "VmRSS:")

    def pss_bytes(self) -> int:
        """Proportional set size of every process of the server's group, added up: a page
        shared by several processes counts once in all, split between them."""
        return self._summed("smaps_rollup", "Pss:")

    def _summed(self, proc_file: str, field: str) -> int:
        """A kB field of /proc/PID/`proc_file`, in bytes, added up over the group."""
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/{proc_file}").read_text().splitlines():
                    if line.startswith(field):
                        total += int(line.split()[1]) * 1024
        return total

    def wait_idle(self, limit: float = 60.0, quiet: float = 0.05) -> float:
        """Wait until the server stops using CPU (it finished queries a client gave up on).

        Returns the seconds waited; gives up after `limit`.
        """
        started = time.monotonic()
        previous = self.cpu_seconds()
        while time.monotonic() - started < limit:
            time.sleep(0.5)
            current = self.cpu_seconds()
            if current - previous < quiet:
                break
            previous = current
        return time.monotonic() - started

    def stop(self, grace: float = 10.0) -> None:
        """Stop the process group: SIGTERM, then SIGKILL after `grace` seconds."""
        if self.process is None:
            return
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        # Workers or runners may outlive the leader for a moment; none may stay.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        self.process = None

    def log_tail(self, size: int = 3000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-size:]
        except OSError:
            return "(no log)"


class Servers(contextlib.AbstractContextManager):
    """Starts servers and stops every one of them on exit, whatever happened."""

    def __init__(self) -> None:
        self.started: list[Server] = []

    def start(self, server: Server, timeout: float = 300.0) -> Server:
        """Start `server` (it is stopped on exit even if it fails to come up)."""
        self.started.append(server)
        return server.start(timeout)

    def stop(self, server: Server) -> None:
        """Stop one server now."""
        server.stop()
        if server in self.started:
            self.started.remove(server)

    def __exit__(self, *exc) -> None:
        while self.started:
            self.started.pop().stop()


def install_signal_handlers() -> None:
    """Make SIGTERM and SIGHUP raise KeyboardInterrupt, so `with Servers()` cleans up."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


# -- the servers -----------------------------------------------------------------------------


def napgraph(name: str, data_files: Sequence[Path], logs: Path, *, workers: int = 2,
             env: Mapping[str, str] | None = None, store_url: str | None = None,
             build_dir: Path | None = None) -> Server:
    """`napgraph serve --workers N` on DATA_FILES (or `--store URL` for a remote store)."""
    port = free_port()
    argv = [str(NAPGRAPH), "serve", "--host", HOST, "--port", str(port),
            "--workers", str(workers)]
    if build_dir is not None:
        argv += ["--build-dir", str(build_dir)]
    if store_url:
        argv += ["--store", store_url]
    settings = {"NAPGRAPH_DATA_FILES": _json_list(data_files)} if data_files else {}
    return Server(name, argv, port, "/sparql", logs / f"{name}.log",
                  {**settings, **(env or {})})


def oxigraph(name: str, location: Path, logs: Path, *, union: bool = True,
             writable: bool = False) -> Server:
    """`oxigraph serve-read-only` (or `serve`, to accept updates) on a loaded location."""
    port = free_port()
    argv = [str(OXIGRAPH), "serve" if writable else "serve-read-only",
            "--location", str(location), "--bind", f"{HOST}:{port}"]
    if union:
        argv.append("--union-default-graph")
    return Server(name, argv, port, "/query", logs / f"{name}.log")


def oxigraph_load(location: Path, files: Sequence[Path], log: Path) -> float:
    """`oxigraph load` the files into a fresh location, then `oxigraph optimize` it; return
    the seconds both took.

    napgraph compacts every store it writes (graph/served_store.py), and a compacted store
    answers the middle queries 1.3-3 times faster than one left as its loads wrote it: the
    peer gets the same treatment, or the comparison would be of file layouts, not servers.
    """
    started = time.perf_counter()
    with open(log, "ab") as output:
        for path in files:  # one by one: several files would load in parallel
            subprocess.run([str(OXIGRAPH), "load", "--location", str(location),
                            "--file", str(path)], check=True, stdout=output,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        subprocess.run([str(OXIGRAPH), "optimize", "--location", str(location)], check=True,
                       stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def rdflib_endpoint(name: str, data_files: Sequence[Path], logs: Path, peers_bin: Path) -> Server:
    """rdflib-endpoint (FastAPI + rdflib, one uvicorn process) serving the files."""
    port = free_port()
    argv = [str(peers_bin / "rdflib-endpoint"), "serve", *map(str, data_files),
            "--host", HOST, "--port", str(port)]
    # `rdflib-endpoint serve` mounts the endpoint at the root.
    return Server(name, argv, port, "/", logs / f"{name}.log")


def _json_list(paths: Sequence[Path]) -> str:
    return json.dumps([str(Path(p).resolve()) for p in paths])
