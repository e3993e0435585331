"""Soak: a bounded mixed load on `napgraph serve --workers 2`, checking that nothing breaks.

For `--minutes` (3 by default) `--clients` threads send, at random, SPARQL queries whose
answers were computed up front with pyoxigraph from the same files (half of them made unique
with a comment, so they reach the query runners instead of the cache), canned queries and
pages (each compared with its first answer), and the hostile requests of tests/test_hostile.py
(each must get one of its right statuses). The resident memory of the server's processes is
sampled every `--sample-every` seconds. At the end it prints throughput, latency, statuses,
5xx, wrong answers and memory (start, end, max), and exits 1 if any answer was a 5xx or wrong,
or if memory grew by more than `--max-growth-mib` after the first third of the run.

    .venv/bin/python bench/soak.py                       # 3 minutes on bench/.work/soak-build
    .venv/bin/python bench/soak.py --minutes 10 --clients 16 --json soak.json

Everything binds and targets 127.0.0.1; the server runs in its own process group and is
stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox  # noqa: E402
import requests  # noqa: E402

from bench.servers import NAPGRAPH, Servers, install_signal_handlers, napgraph  # noqa: E402
from napgraph.graph.loaded import served_dataset  # noqa: E402
from tests.hostile_cases import QUERIES, Case, load_cases, send  # noqa: E402
from tests.hostile_fixtures import FAMILY_PROBES  # noqa: E402

WORK = Path(__file__).parent / ".work"
NAP = "https://w3id.org/napgraph/"
# SPARQL queries whose answers the soak computes itself from the served files.
COUNTED = [
    "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    f"SELECT (COUNT(DISTINCT ?c) AS ?n) {{ ?c a <{NAP}ontology#Consultation> }}",
    "SELECT ?kind (COUNT(?a) AS ?n) { ?a <http://www.w3.org/ns/org#classification> ?kind } "
    "GROUP BY ?kind ORDER BY ?kind",
    f"ASK {{ <{NAP}id/jp/org/mofa> ?p ?o }}",
    f"SELECT ?label {{ <{NAP}id/jp/org/mofa> <http://www.w3.org/2004/02/skos/core#prefLabel> "
    "?label } ORDER BY ?label",
]
PAGES = ["/", "/id/jp/org/mofa", "/id/jp/consultation/2018-01", "/id/jp/consultation/2018-07",
         "/queries", "/search?q=ministry", "/download/", "/dataset", "/ontology"]
WEIGHTS = {"sparql": 30, "canned": 25, "page": 25, "hostile": 20}
# Hostile cases are rendered with markers that point nowhere: nothing listens on port 9.
MARKERS = {"TRAP": "127.0.0.1:9", "TRAP_PORT": "9", "TRAP6": "[::1]:9",
           "ALLOWED": "http://127.0.0.1:9/sparql", "ALLOWED_HOSTPORT": "127.0.0.1:9",
           "CANARY": "/nonexistent/canary.txt", "CANARY_REL": "../../nonexistent/canary.txt",
           "CANARY_REL_ENC": "..%2f..%2fnonexistent%2fcanary.txt", "SLUG": "actor-meetings"}


@dataclass
class Tally:
    """What the clients saw, shared between threads."""

    statuses: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    shed: list[str] = field(default_factory=list)  # 503 + Retry-After: refused by policy
    checked: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, status: int, seconds: float, problem: str | None,
               what: str) -> None:
        with self.lock:
            self.kinds[kind] += 1
            self.statuses[status] += 1
            self.latencies.append(seconds)
            self.checked += problem is not None or status < 500
            if problem == SHED:
                self.shed.append(what)
            elif status >= 500 or status == 0:
                self.server_errors.append(f"{status} {what}")
            elif problem:
                self.wrong.append(f"{what}: {problem}")


SHED = "shed"
# At most this share of requests may be shed: the fair-scheduling policy stops a long query
# (503 with Retry-After) when others wait for a runner; more would mean starvation.
MAX_SHED_SHARE = 0.1


def shed_by_policy(status: int, headers: object) -> bool:
    """A 503 with Retry-After is the server shedding load by its policy (QUERY_PREEMPT_AFTER,
    busy runners), not an error: the client is told when to try again."""
    return status == 503 and headers.get("Retry-After") is not None  # type: ignore[attr-defined]


def rows_of(document: dict) -> object:
    """A SPARQL JSON answer as the boolean, or as rows of lexical values."""
    if "boolean" in document:
        return document["boolean"]
    names = document["head"]["vars"]
    return [[row.get(name, {}).get("value") for name in names]
            for row in document["results"]["bindings"]]


def expected_answers(build_dir: Path) -> dict[str, object]:
    """The answer of every COUNTED query, from the files the server serves."""
    store = ox.Store()
    files, _ = served_dataset(build_dir)
    for path in files:
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    answers = {}
    for query in COUNTED:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            answers[query] = bool(result)
        else:
            names = [v.value for v in result.variables]
            answers[query] = [[row[n].value if row[n] is not None else None for n in names]
                              for row in result]
    return answers


class Workload:
    """Picks requests at random and checks each answer."""

    def __init__(self, root: str, expected: dict[str, object], seed: int) -> None:
        self.root = root
        self.expected = expected
        self.random = random.Random(seed)
        self.canned = [f"/queries/{p.stem}?format=json" for p in sorted(QUERIES.glob("*.rq"))
                       if "SERVICE" not in p.read_text(encoding="utf-8")]
        self.baseline: dict[str, str] = {}
        for path in [*self.canned, *PAGES]:  # the first answer of each, to compare with
            response = requests.get(root + path, headers={"Accept": "text/html"}, timeout=60)
            if response.status_code == 200:
                self.baseline[path] = hashlib.sha256(response.content).hexdigest()
        self.canned = [path for path in self.canned if path in self.baseline]
        self.pages = [path for path in PAGES if path in self.baseline]
        families = {family: requests.get(root + path, headers={"Accept": accept},
                                         timeout=60).status_code == 200
                    for family, (path, accept) in FAMILY_PROBES.items()}
        self.hostile = [case.render(MARKERS) for case in load_cases()
                        if not case.calls_allowed and families.get(case.family, True)]

    def pick(self) -> tuple[str, Callable[[requests.Session], tuple[int, str | None, str]]]:
        kinds = [kind for kind in WEIGHTS if kind != "page" or self.pages]
        kind = self.random.choices(kinds, [WEIGHTS[k] for k in kinds])[0]
        if kind == "sparql":
            query = self.random.choice(COUNTED)
            if self.random.random() < 0.5:
                query = f"# {uuid.uuid4()}\n{query}"
            return kind, lambda session: self._sparql(session, query)
        if kind == "hostile":
            case = self.random.choice(self.hostile)
            return kind, lambda session: self._hostile(case)
        path = self.random.choice(self.canned if kind == "canned" else self.pages)
        return kind, lambda session: self._same(session, path)

    def _sparql(self, session: requests.Session, query: str) -> tuple[int, str | None, str]:
        response = session.post(self.root + "/sparql", data={"query": query}, timeout=60)
        key = query.split("\n", 1)[1] if query.startswith("#") else query
        problem = None
        if shed_by_policy(response.status_code, response.headers):
            problem = SHED
        elif response.status_code == 200 and rows_of(response.json()) != self.expected[key]:
            problem = "a different answer than pyoxigraph's"
        elif response.status_code != 200:
            problem = f"status {response.status_code}"
        return response.status_code, problem, f"SPARQL {key[:60]}"

    def _same(self, session: requests.Session, path: str) -> tuple[int, str | None, str]:
        response = session.get(self.root + path, headers={"Accept": "text/html"}, timeout=60)
        digest = hashlib.sha256(response.content).hexdigest()
        if shed_by_policy(response.status_code, response.headers):
            return response.status_code, SHED, path
        problem = None if response.status_code == 200 and digest == self.baseline[path] else (
            f"status {response.status_code}" if response.status_code != 200
            else "a different body than the first answer")
        return response.status_code, problem, path

    def _hostile(self, case: Case) -> tuple[int, str | None, str]:
        port = int(self.root.rsplit(":", 1)[1])
        try:
            reply = send(port, case)
        except OSError as error:
            return 0, f"{type(error).__name__}", f"hostile {case.id}"
        problem = None if reply.status in case.status else f"status {reply.status}"
        if problem and shed_by_policy(reply.status, reply.headers):
            problem = SHED
        return reply.status, problem, f"hostile {case.id}"


def client(workload: Workload, tally: Tally, deadline: float) -> None:
    session = requests.Session()
    while time.monotonic() < deadline:
        kind, request = workload.pick()
        started = time.monotonic()
        try:
            status, problem, what = request(session)
        except requests.RequestException as error:
            status, problem, what = 0, type(error).__name__, kind
        tally.record(kind, status, time.monotonic() - started, problem, what)


def ensure_build(build_dir: Path) -> Path:
    if not (build_dir / "current").exists():
        print(f"building the graph into {build_dir}", flush=True)
        subprocess.run([str(NAPGRAPH), "build", "--out", str(build_dir)], check=True)
    return build_dir


def soak(args: argparse.Namespace) -> dict:
    """Run the soak and return its summary (see the module docstring)."""
    build_dir = ensure_build(args.build_dir)
    expected = expected_answers(build_dir)
    seconds = args.seconds if args.seconds is not None else args.minutes * 60
    tally = Tally()
    samples: list[tuple[float, int]] = []
    with Servers() as servers:
        server = servers.start(napgraph("soak", [], args.logs, workers=args.workers,
                                        build_dir=build_dir, env={"NAPGRAPH_ACCESS_LOG": ""}))
        workload = Workload(server.root, expected, args.seed)
        started = time.monotonic()
        deadline = started + seconds
        threads = [threading.Thread(target=client, args=(workload, tally, deadline))
                   for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        while time.monotonic() < deadline:
            samples.append((time.monotonic() - started, server.rss_bytes()))
            time.sleep(min(args.sample_every, max(deadline - time.monotonic(), 0)))
        for thread in threads:
            thread.join()
        samples.append((time.monotonic() - started, server.rss_bytes()))
        elapsed = time.monotonic() - started
    mib = [rss / 2**20 for _, rss in samples]
    settled = mib[len(mib) // 3] if len(mib) > 2 else mib[0]
    latencies = sorted(tally.latencies)
    return {
        "seconds": round(elapsed, 1), "clients": args.clients, "workers": args.workers,
        "requests": len(latencies), "per_second": round(len(latencies) / elapsed, 1),
        "kinds": dict(tally.kinds), "statuses": {str(k): v for k, v in
                                                 sorted(tally.statuses.items())},
        "server_errors": len(tally.server_errors), "wrong": len(tally.wrong),
        "shed": len(tally.shed), "shed_examples": tally.shed[:10],
        "examples": (tally.server_errors + tally.wrong)[:10],
        "latency_ms": {"p50": round(1000 * statistics.median(latencies), 1),
                       "p95": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1),
                       "max": round(1000 * latencies[-1], 1)} if latencies else {},
        "rss_mib": {"start": round(mib[0]), "after_a_third": round(settled),
                    "end": round(mib[-1]), "max": round(max(mib)), "samples": len(mib)},
        "growth_mib": round(mib[-1] - settled, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, help="overrides --minutes")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample-every", type=float, default=5.0)
    parser.add_argument("--max-growth-mib", type=float, default=200.0)
    parser.add_argument("--build-dir", type=Path, default=WORK / "soak-build")
    parser.add_argument("--logs", type=Path, default=WORK / "logs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    summary = soak(args)
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    failed = summary["server_errors"] or summary["wrong"] or (
        summary["shed"] > MAX_SHED_SHARE * summary["requests"]) or (
        summary["growth_mib"] > args.max_growth_mib)
    return 1 if failed else 0


if __name__ == "__main__":
    install_signal_handlers()  # SIGTERM stops the server too
    sys.exit(main())
