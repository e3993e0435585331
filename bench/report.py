"""Tables of the bench results (Markdown, so they print well and paste into README.md).

Everything here reads the results dict that run.py records as JSON, so a table can be
printed again from an old results file: `python bench/report.py bench/results/FILE.json`.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

MODES = ("warm", "cold")  # napgraph with its response cache, and with CACHE_ENTRIES=0
PEERS = ("oxigraph", "rdflib")
TARGETS = ("napgraph-warm", "napgraph-cold", "oxigraph", "rdflib")
SHORT = {"napgraph-warm": "warm", "napgraph-cold": "cold", "oxigraph": "oxigraph",
         "rdflib": "rdflib-ep"}


def geomean(values: Iterable[float]) -> float | None:
    """Geometric mean of positive values; None when there are none."""
    logs = [math.log(v) for v in values if v and v > 0]
    return math.exp(sum(logs) / len(logs)) if logs else None


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; numbers right-aligned."""
    rows = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(header)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join(("-" * (w + 1) + ":") if i else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    body = ["| " + " | ".join(c.rjust(w) if i else c.ljust(w)
                              for i, (c, w) in enumerate(zip(r, widths, strict=True))) + " |" for r in rows]
    return "\n".join([line, rule, *body])


def ratio(numerator: dict | None, denominator: dict | None) -> float | None:
    """ok_rps of one target over another's, when both answered and their answers agree."""
    if not numerator or not denominator:
        return None
    a, b = numerator.get("ok_rps"), denominator.get("ok_rps")
    if not a or not b:
        return None
    return a / b


def comparable(query: dict, target: str, peer: str) -> bool:
    """Whether napgraph's answer and the peer's had the same size (checked before timing)."""
    if query.get("runs", {}).get(peer, {}).get("upper_bound"):
        return True  # the peer gave no answer in time: the ratio is a lower bound
    counts = query.get("counts", {})
    mine, theirs = counts.get(target), counts.get(peer)
    return mine is not None and theirs is not None and mine == theirs


def sparql_tables(scale: dict) -> str:
    """Throughput and latency tables of one scale, with the ratios and their geometric means."""
    queries = scale["queries"]
    runs = {q["name"]: q.get("runs", {}) for q in queries}
    ratio_rows, latency_rows, notes = [], [], []
    ratios: dict[tuple[str, str], list[float]] = {(m, p): [] for m in MODES for p in PEERS}
    excluded: dict[tuple[str, str], list[str]] = {(m, p): [] for m in MODES for p in PEERS}
    for query in queries:
        name, run = query["name"], runs[query["name"]]
        row = [name, query.get("counts", {}).get("oxigraph", "?")]
        row += [_rps(run.get(t)) for t in TARGETS]
        for mode in MODES:
            for peer in PEERS:
                value = ratio(run.get(f"napgraph-{mode}"), run.get(peer))
                ok = value is not None and comparable(query, f"napgraph-{mode}", peer)
                if ok:
                    ratios[(mode, peer)].append(value)
                elif run.get(peer) is not None:
                    excluded[(mode, peer)].append(name)
                bound = ok and run.get(peer, {}).get("upper_bound")
                row.append(("≥" if bound else "") + _times(value)
                           + ("" if ok or value is None else " ≠"))
        ratio_rows.append(row)
        latency_rows.append([name, *(_latency(run.get(t)) for t in TARGETS)])
        notes += _notes(query)
    header = ["query", "rows", *(f"{SHORT[t]} req/s" for t in TARGETS),
              "warm/ox", "warm/rdf", "cold/ox", "cold/rdf"]
    summary = ["**geometric mean**", "", "", "", "", ""]
    summary += [_times(geomean(ratios[(m, p)])) for m in MODES for p in PEERS]
    parts = [table(header, [*ratio_rows, summary]), "",
             table(["query", *(f"{SHORT[t]} p50/p99 ms" for t in TARGETS)], latency_rows)]
    cpu = cpu_table(scale)
    if cpu:
        parts += ["", cpu]
    skipped = [f"{m}/{p}: {', '.join(names)}" for (m, p), names in excluded.items() if names]
    if skipped:
        parts += ["", "Left out of the geometric means (no 2xx throughput on one side, or "
                  "answers of different sizes, marked ≠): " + "; ".join(skipped) + "."]
    if notes:
        parts += ["", "Notes:", *(f"- {n}" for n in notes)]
    return "\n".join(parts)


def cpu_ratio(query: dict, target: str, peer: str) -> float | None:
    """The peer's CPU per answer over napgraph's (above 1: napgraph spends less), when both
    were measured and their answers agree."""
    runs = query.get("runs", {})
    mine = (runs.get(target) or {}).get("cpu_ms_per_answer")
    theirs = (runs.get(peer) or {}).get("cpu_ms_per_answer")
    if not mine or not theirs or not comparable(query, target, peer):
        return None
    return theirs / mine


def cpu_table(scale: dict) -> str:
    """Server CPU milliseconds per 2xx answer (every process of the server), per query; empty
    for results recorded before the bench measured it."""
    targets = ("napgraph-warm", "napgraph-cold", "oxigraph")
    rows, ratios = [], []
    for query in scale["queries"]:
        runs = query.get("runs", {})
        cells = [(runs.get(t) or {}).get("cpu_ms_per_answer") for t in targets]
        if not any(cells):
            continue
        value = cpu_ratio(query, "napgraph-cold", "oxigraph")
        if value is not None:
            ratios.append(value)
        rows.append([query["name"], *(_cpu_ms(c) for c in cells), _times(value)])
    if not rows:
        return ""
    rows.append(["**geometric mean**", "", "", "", _times(geomean(ratios))])
    return table(["query", *(f"{SHORT[t]} CPU ms/answer" for t in targets),
                  "ox CPU / cold CPU"], rows)


def summary_table(results: dict) -> str:
    """One line per scale: the geometric-mean ratios against the targets."""
    rows = []
    for scale in results.get("scales", []):
        gm = scale.get("geomean", {})
        rows.append([scale["name"], f"{scale.get('quads', 0):,}",
                     _times(gm.get("warm/oxigraph")), _times(gm.get("cold/oxigraph")),
                     _times(gm.get("warm/rdflib")), _times(gm.get("cold/rdflib"))])
    return table(["scale", "quads", "warm/oxigraph (≥1.0)", "cold/oxigraph (≥0.5)",
                  "warm/rdflib-ep (≥10)", "cold/rdflib-ep (≥10)"], rows)


def geomeans(scale: dict) -> dict[str, float | None]:
    """The geometric-mean ratios of one scale, keyed 'warm/oxigraph' and so on."""
    out = {}
    for mode in MODES:
        for peer in PEERS:
            values = []
            for query in scale["queries"]:
                run = query.get("runs", {})
                value = ratio(run.get(f"napgraph-{mode}"), run.get(peer))
                if value is not None and comparable(query, f"napgraph-{mode}", peer):
                    values.append(value)
            out[f"{mode}/{peer}"] = geomean(values)
    out["cold/oxigraph cpu"] = geomean(
        v for q in scale["queries"] if (v := cpu_ratio(q, "napgraph-cold", "oxigraph")))
    return out


def pages_table(results: dict) -> str:
    """Throughput of the linked-data pages per scale (target ≥ 1,000 pages/s)."""
    rows = []
    for scale in results.get("scales", []):
        for page in scale.get("pages", []):
            run = page.get("run")
            rows.append([scale["name"], page["path"], page.get("status", "?"),
                         _rps(run) if run else "n/a", _latency(run) if run else "n/a"])
    return table(["scale", "page (Accept: text/html)", "status", "pages/s", "p50/p99 ms"], rows)


LEGEND = ("req/s: 2xx answers per second at concurrency 8. `!`: some requests failed or were "
          "not 2xx (see the notes); `~`: too slow to load, 1/latency of one request; `<`: no "
          "answer within the check's time limit, so at most 1/limit; `≥`: a lower bound, "
          "from `<`; `≠`: answers of different sizes, left out of the means. p50/p99 from hey "
          "(p99 is the slowest response when hey had under 100).")


def render(results: dict) -> str:
    """Every table of a results dict."""
    machine = results.get("machine", {})
    parts = [f"napgraph bench, {results.get('date', '?')}, {machine.get('cores', '?')} cores "
             f"({machine.get('cpu', '?')}), hey on the same cores.", "", LEGEND, "",
             "## Geometric-mean throughput ratios (napgraph / peer)", "",
             summary_table(results)]
    for scale in results.get("scales", []):
        parts += ["", f"## SPARQL, {scale['name']} ({scale.get('quads', 0):,} quads)", "",
                  sparql_tables(scale)]
    parts += ["", "## Pages", "", pages_table(results)]
    return "\n".join(parts)


def _notes(query: dict) -> list[str]:
    out = []
    for target, run in query.get("runs", {}).items():
        if run is None:
            continue
        bad = {code: n for code, n in run.get("statuses", {}).items() if not code.startswith("2")}
        if bad or run.get("errors"):
            parts = [f"HTTP {code}×{n}" for code, n in sorted(bad.items())]
            parts += [f"{n}× {message[:80]}" for message, n in run.get("errors", {}).items()]
            out.append(f"{query['name']} on {SHORT.get(target, target)}: {'; '.join(parts)}")
    for target, note in query.get("notes", {}).items():
        out.append(f"{query['name']} on {SHORT.get(target, target)}: {note}")
    return out


def _rps(run: dict | None) -> str:
    if run is None:
        return "–"
    value = run.get("ok_rps", 0.0)
    text = f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"
    if run.get("upper_bound"):
        return "<" + text  # no answer within the check's time limit
    if run.get("estimate"):
        text = "~" + text  # one request, too slow to load: 1 / its latency
    return text + ("" if run.get("clean", True) else " !")


def _latency(run: dict | None) -> str:
    if run is None or run.get("p50_ms") is None:
        return "–"
    return f"{_ms(run['p50_ms'])}/{_ms(run['p99_ms'])}"


def _ms(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _cpu_ms(value: float | None) -> str:
    if not value:
        return "–"
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 10 else _ms(value)


def _times(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


def _cell(value: object) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(render(json.loads(Path(name).read_text(encoding="utf-8"))))
