"""A pool of query runner processes that enforces the query time limit.

Each web worker owns a pool. A query takes an idle runner, is sent over its socket, and the
worker waits for the answer with `Connection.poll(timeout)`. If the time runs out the runner
is killed with SIGKILL (pyoxigraph cannot be interrupted otherwise) and a fresh one is
started in the background, so the client gets its 503 at once and the pool heals itself.

Runners are started with fork+exec (`subprocess`), which is safe in a threaded server, from a
single long-lived thread: Linux delivers a runner's parent-death signal when the *thread*
that started it ends (see runner._die_with_parent).
"""

from __future__ import annotations

import asyncio
import logging
import marshal
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection

from ..http.errors import DatasetError, QueryPreempted, QueryTimeout, RunnersBusy, RunnerStopped
from .messages import QueryRequest
from .query_costs import QueryCosts, request_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunnerSpec:
    """What every runner of a pool opens and allows."""

    store: str  # the on-disk store folder (graph/served_store.py), opened read-only
    version: str  # the dataset version it must hold
    allowlist: tuple[str, ...]
    memory_mb: int
    max_nesting: int = 0  # 0: no limit

    def start_message(self) -> bytes:
        """The first message sent to a new runner."""
        return marshal.dumps({"store": self.store, "version": self.version,
                              "allowlist": list(self.allowlist), "memory_mb": self.memory_mb,
                              "max_nesting": self.max_nesting})


@dataclass(frozen=True)
class LoadedData:
    """What the first runner reported after opening the store: named graph sizes and quad
    count (from the store's metadata)."""

    graphs: tuple[tuple[str, int], ...]
    quads: int


@dataclass(eq=False)
class _Runner:
    process: subprocess.Popen
    conn: Connection
    started: float = 0.0  # when its current query was sent (time.monotonic)
    key: bytes = b""  # its current query's (query_costs.request_key)
    preempted: bool = False  # stopped so that a waiting query can run


class _Spawner:
    """Starts runners from one daemon thread that lives as long as the worker process."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="napgraph-runner-spawner", daemon=True).start()

    def spawn(self, start_message: bytes) -> _Runner:
        done: Future[_Runner] = Future()
        self._jobs.put((start_message, done))
        return done.result()

    def _loop(self) -> None:
        while True:
            start_message, done = self._jobs.get()
            try:
                done.set_result(self._start(start_message))
            except Exception as error:  # handed to the caller of spawn(), which re-raises it
                done.set_exception(error)

    @staticmethod
    def _start(start_message: bytes) -> _Runner:
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "napgraph.server.backends.runner", str(theirs.fileno()),
                 str(os.getpid())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        finally:
            theirs.close()
        conn = Connection(ours.detach())
        conn.send_bytes(start_message)
        return _Runner(process, conn)


class RunnerPool:
    """A fixed number of query runners sharing one RunnerSpec."""

    def __init__(self, spec: RunnerSpec, size: int, start_timeout: float = 300.0,
                 preempt_after: float = 0.0) -> None:
        self.spec = spec
        self.size = size
        self.start_timeout = start_timeout
        self.preempt_after = preempt_after  # 0: a query is never stopped for another
        self._costs = QueryCosts()  # how long recent queries took (query_costs.py)
        self._busy: set[_Runner] = set()
        self._busy_lock = threading.Lock()
        self._owner = os.getpid()
        self._idle: queue.Queue[_Runner] = queue.Queue()
        self._processes: set[subprocess.Popen] = set()
        self._closed = False
        self._spawner = _Spawner()
        self._finalizer = weakref.finalize(self, _kill_all, self._processes)

    def start(self) -> LoadedData:
        """Start every runner, wait until all have opened the store, and return what it holds.

        Raises DatasetError with the runner's message if the store cannot be opened.
        """
        runners = [self._spawner.spawn(self.spec.start_message()) for _ in range(self.size)]
        loaded = None
        for runner in runners:
            self._processes.add(runner.process)
        for runner in runners:
            loaded = self._await_ready(runner)
            self._idle.put(runner)
        assert loaded is not None
        return loaded

    def run(self, request: QueryRequest, timeout: float) -> tuple:
        """Run one request on an idle runner within `timeout` seconds and return its reply.

        Raises RunnersBusy if no runner frees up within `timeout`, QueryTimeout if the query
        runs longer (its runner is then replaced), RunnerStopped if the runner dies, and
        QueryPreempted if it was stopped for a waiting query (see _wait_for_runner).
        """
        if os.getpid() != self._owner:
            raise RuntimeError("a RunnerPool cannot be used after fork; create the app in the "
                               "worker process (each server worker process calls create_app itself)")
        payload = request.encode()
        key = request_key(payload)
        runner = self._wait_for_runner(timeout, key)
        runner.started, runner.preempted, runner.key = time.monotonic(), False, key
        with self._busy_lock:
            self._busy.add(runner)
        try:
            runner.conn.send_bytes(payload)
            finished = runner.conn.poll(timeout)
            reply = marshal.loads(runner.conn.recv_bytes()) if finished else None
        except (EOFError, OSError):
            status = self._retire(runner)
            raise self._stopped(runner, status) from None
        finally:
            with self._busy_lock:
                self._busy.discard(runner)
            self._costs.record(key, time.monotonic() - runner.started)
        if reply is None:
            self._retire(runner)
            raise QueryTimeout(f"query exceeded the {timeout:g} s time limit and was stopped "
                               "(QUERY_TIMEOUT)")
        self._idle.put(runner)
        return reply

    async def run_on_loop(self, request: QueryRequest, timeout: float) -> tuple | None:
        """Like `run`, from an asyncio event loop and without a thread, if a runner is idle
        right now; None if none is (the caller then waits for one with `run`, in a thread,
        where preemption is decided). Raises what `run` raises.

        The query is sent at once and its reply awaited on the loop (the runner's socket
        in the loop's selector), so a cheap query costs no trip to a thread and back.
        """
        if os.getpid() != self._owner:
            raise RuntimeError("a RunnerPool cannot be used after fork")
        try:
            runner = self._idle.get_nowait()
        except queue.Empty:
            return None
        if runner.process.poll() is not None:  # died while idle: `run` replaces it
            self._idle.put(runner)
            return None
        loop = asyncio.get_running_loop()
        readable = loop.create_future()
        fd = runner.conn.fileno()
        payload = request.encode()
        key = request_key(payload)
        runner.started, runner.preempted, runner.key = time.monotonic(), False, key
        with self._busy_lock:
            self._busy.add(runner)
        failed, watched, reply = False, False, None
        try:
            runner.conn.send_bytes(payload)  # before the loop watches the socket
            loop.add_reader(fd, _set_once, readable, True)
            watched = True
            timer = loop.call_later(timeout, _set_once, readable, False)
            try:
                answered = await readable
            finally:
                timer.cancel()
            if answered:
                self._release(loop, fd, runner)
                watched = False
                reply = marshal.loads(runner.conn.recv_bytes())
        except (EOFError, OSError):
            failed = True
        except BaseException:  # cancelled mid-query: the runner's answer is nobody's
            self._release(loop, fd, runner, watched)
            threading.Thread(target=self._retire, args=(runner,), daemon=True).start()
            raise
        self._release(loop, fd, runner, watched)
        self._costs.record(key, time.monotonic() - runner.started)
        if failed:
            status = await loop.run_in_executor(None, self._retire, runner)
            raise self._stopped(runner, status)
        if reply is None:
            await loop.run_in_executor(None, self._retire, runner)
            raise QueryTimeout(f"query exceeded the {timeout:g} s time limit and was stopped "
                               "(QUERY_TIMEOUT)")
        self._idle.put(runner)
        return reply

    def _release(self, loop: asyncio.AbstractEventLoop, fd: int, runner: _Runner,
                 watched: bool = True) -> None:
        """Stop watching a runner's socket and mark it not busy; before the socket may be
        closed, as its number could be reused at once. The loop made the socket
        non-blocking: it is made blocking again, for `recv_bytes` and `run`."""
        if watched:
            loop.remove_reader(fd)
            os.set_blocking(fd, True)
        with self._busy_lock:
            self._busy.discard(runner)

    def _stopped(self, runner: _Runner, status: int | None) -> Exception:
        """The error for a runner that ended while running a query."""
        if runner.preempted:
            return QueryPreempted(
                f"the query was stopped after {time.monotonic() - runner.started:.1f} s "
                f"so that waiting queries could run: all {self.size} query runners were "
                "busy (QUERY_PREEMPT_AFTER); try again shortly")
        return RunnerStopped(_stopped_message(status, self.spec.memory_mb))

    def _wait_for_runner(self, timeout: float, key: bytes = b"") -> _Runner:
        """An idle, live runner within `timeout`; raises RunnersBusy.

        Fairness: a query that has waited QUERY_PREEMPT_AFTER seconds stops the query that has
        run longest, if that one has run at least as long, and takes its (restarted) runner.
        So a cheap query waits about that long however many runaway queries fill the pool,
        and every query runs undisturbed for at least that long. A query that took longer
        the last time it ran stops only one that has run longer than it took (query_costs.py),
        and none stops the same request (`key`): that would only start its work over.
        """
        deadline = time.monotonic() + timeout
        preempted = not self.preempt_after  # each waiting query stops at most one other
        at_least = max(self.preempt_after, self._costs.last(key))
        while True:
            left = deadline - time.monotonic()
            wait = left if preempted else min(left, self.preempt_after)
            try:
                runner = self._idle.get(timeout=max(wait, 0))
            except queue.Empty:
                if time.monotonic() >= deadline:
                    raise RunnersBusy(f"all {self.size} query runners stayed busy for "
                                      f"{timeout:g} s; try again shortly") from None
                if not preempted:
                    preempted = self._preempt_longest(key, at_least)
                continue
            if runner.process.poll() is None:
                return runner
            # It died while idle (the kernel's OOM killer, an operator): replace it, try another.
            log.warning("query runner %d had exited with status %s; replacing it",
                        runner.process.pid, runner.process.returncode)
            self._retire(runner)

    def _preempt_longest(self, key: bytes, at_least: float) -> bool:
        """Stop the longest-running query that has run `at_least` seconds and is not the
        request `key`; True if one was."""
        now = time.monotonic()
        with self._busy_lock:
            running = [r for r in self._busy if not r.preempted and r.key != key
                       and now - r.started >= at_least]
            if not running:
                return False
            victim = min(running, key=lambda r: r.started)
            victim.preempted = True
        log.warning("stopping a query that ran %.1f s so that a waiting one can run",
                    now - victim.started)
        victim.process.kill()  # its thread sees the runner end, and restarts it
        return True

    def status(self) -> dict[str, int]:
        """How many runners the pool should have, how many are alive, and how many are idle."""
        alive = sum(1 for process in list(self._processes) if process.poll() is None)
        return {"size": self.size, "alive": alive, "idle": self._idle.qsize()}

    def close(self) -> None:
        """Kill every runner; the pool cannot be used afterwards."""
        self._closed = True
        self._finalizer()

    def _await_ready(self, runner: _Runner) -> LoadedData:
        try:
            if not runner.conn.poll(self.start_timeout):
                raise DatasetError(f"a query runner did not open the data within "
                                   f"{self.start_timeout:g} s")
            reply = marshal.loads(runner.conn.recv_bytes())
        except (EOFError, OSError):
            self._retire(runner, replace=False)
            raise DatasetError("a query runner exited while opening the data; see the log "
                               "above") from None
        if reply[0] != "ready":
            self._retire(runner, replace=False)
            raise DatasetError(f"cannot open the data: {reply[1]}")
        return LoadedData(graphs=tuple(tuple(pair) for pair in reply[1]), quads=reply[2])

    def _retire(self, runner: _Runner, replace: bool = True) -> int | None:
        runner.process.kill()
        try:
            status = runner.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            status = None
        runner.conn.close()
        self._processes.discard(runner.process)
        if replace and not self._closed:
            threading.Thread(target=self._replace, name="napgraph-runner-replace",
                             daemon=True).start()
        return status

    def _replace(self) -> None:
        for attempt in range(5):
            if self._closed:
                return
            try:
                runner = self._spawner.spawn(self.spec.start_message())
                self._processes.add(runner.process)
                self._await_ready(runner)
            except (OSError, DatasetError) as error:
                log.error("cannot start a replacement query runner (attempt %d): %s",
                          attempt + 1, error)
                time.sleep(2 ** attempt)
                continue
            self._idle.put(runner)
            return


def _set_once(future: asyncio.Future, value: bool) -> None:
    """Set `future`'s result unless it has one: the runner's socket is readable (True) or
    the time is up (False); a reader callback may fire again before it is removed."""
    if not future.done():
        future.set_result(value)


def _stopped_message(status: int | None, memory_mb: int) -> str:
    if status is not None and status < 0:
        try:
            cause = f"signal {signal.Signals(-status).name}"
        except ValueError:
            cause = f"signal {-status}"
    else:
        cause = f"exit status {status}"
    if status is not None and -status in (signal.SIGSEGV, signal.SIGBUS):
        hint = ", most likely because the query nests too deeply for the engine"
    else:
        hint = f", most likely past its {memory_mb} MiB memory limit" if memory_mb else ""
    return f"the query stopped its query runner ({cause}{hint}); it has been restarted"


def _kill_all(processes: set[subprocess.Popen]) -> None:
    for process in list(processes):
        process.kill()
    for process in list(processes):
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.warning("query runner %d did not exit", process.pid)
    processes.clear()
