"""Drive `hey` against one URL and read its summary: requests/s, p50, p99, status codes.

hey's requests/s counts every request it finished, errors (timeouts, refused connections)
included, and its latencies only those that got a response, whatever the status; `ok_rps`
is the part of that throughput answered with 2xx, the figure the tables use.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HEY = shutil.which("hey") or "/usr/bin/hey"
_RPS = re.compile(r"Requests/sec:\s+([0-9.]+)")
_TOTAL = re.compile(r"Total:\s+([0-9.]+) secs")
_SLOWEST = re.compile(r"Slowest:\s+([0-9.]+) secs")
_PERCENTILE = re.compile(r"^\s*(\d+)%+ in ([0-9.]+) secs", re.MULTILINE)
_STATUS = re.compile(r"^\s*\[(\d{3})\]\s+(\d+) responses", re.MULTILINE)
_ERROR = re.compile(r"^\s*\[(\d+)\]\s+(.+)$", re.MULTILINE)


@dataclass
class LoadResult:
    """What one hey run measured. Latencies in milliseconds; None when nothing answered."""

    rps: float
    p50_ms: float | None
    p99_ms: float | None
    statuses: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float | None = None  # the server's, when the caller measured it

    @property
    def cpu_ms_per_answer(self) -> float | None:
        """The server's CPU milliseconds per 2xx answer (None if not measured or none)."""
        if self.cpu_seconds is None or not self.ok:
            return None
        return self.cpu_seconds * 1000 / self.ok

    @property
    def responses(self) -> int:
        return sum(self.statuses.values())

    @property
    def ok(self) -> int:
        return sum(n for code, n in self.statuses.items() if code.startswith("2"))

    @property
    def ok_rps(self) -> float:
        """Requests per second answered with a 2xx status."""
        finished = self.responses + sum(self.errors.values())
        return self.rps * self.ok / finished if finished else 0.0

    @property
    def clean(self) -> bool:
        """Every request was answered, and with 2xx."""
        return not self.errors and self.responses > 0 and self.ok == self.responses

    def record(self) -> dict:
        """A JSON-ready dict, with the derived figures."""
        return {**asdict(self), "ok_rps": self.ok_rps, "clean": self.clean,
                "cpu_ms_per_answer": self.cpu_ms_per_answer}


def parse_hey(text: str) -> LoadResult:
    """Read hey's summary output. Raises ValueError when it is not one."""
    rps = _RPS.search(text)
    if rps is None:
        raise ValueError(f"not a hey summary:\n{text[:500]}")
    total = _TOTAL.search(text)
    percentiles = {int(p): float(s) * 1000 for p, s in _PERCENTILE.findall(text)}
    statuses = {code: int(n) for code, n in _STATUS.findall(_section(text, "Status code"))}
    errors = {message.strip(): int(n)
              for n, message in _ERROR.findall(_section(text, "Error distribution"))}
    p99 = percentiles.get(99)
    slowest = _SLOWEST.search(text)
    if p99 is None and percentiles and slowest:
        # hey leaves out percentiles it has too few samples for (under 100 responses):
        # the slowest response is then the 99th percentile.
        p99 = float(slowest.group(1)) * 1000
    return LoadResult(float(rps.group(1)), percentiles.get(50), p99,
                      statuses, errors, float(total.group(1)) if total else 0.0)


def run_hey(url: str, *, concurrency: int = 8, duration: float | None = None,
            requests: int | None = None, headers: Sequence[str] = (), method: str = "GET",
            body: bytes | None = None, content_type: str | None = None,
            timeout: float = 20.0, compression: bool = True) -> LoadResult:
    """Run hey for `duration` seconds or `requests` requests at `concurrency`; parse it.

    Every run is bounded: by its duration (plus one request timeout for the requests in
    flight) or by its request count times the timeout. Raises ValueError if hey fails.
    """
    if (duration is None) == (requests is None):
        raise ValueError("give exactly one of duration and requests")
    argv = [HEY, "-c", str(concurrency), "-t", str(math.ceil(timeout)), "-m", method]
    argv += ["-z", f"{duration:g}s"] if duration is not None else [
        "-n", str(max(requests, concurrency))]
    for header in headers:
        argv += ["-H", header]
    if not compression:
        argv.append("-disable-compression")
    with tempfile.TemporaryDirectory(prefix="napgraph-bench-") as folder:
        if body is not None:
            path = Path(folder) / "body"
            path.write_bytes(body)
            argv += ["-D", str(path), "-T", content_type or "application/octet-stream"]
        argv.append(url)
        done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise ValueError(f"hey failed ({done.returncode}): {done.stderr.strip()[:500]}")
    return parse_hey(done.stdout)


def _section(text: str, title: str) -> str:
    """The lines of hey's summary section that starts with `title`, up to a blank line."""
    start = text.find(title)
    if start < 0:
        return ""
    end = text.find("\n\n", start)
    return text[start:] if end < 0 else text[start:end]
