"""The tables of bench/scale.py: import against `oxigraph load`, and latency per target."""

from __future__ import annotations

from bench import report, startup

TARGETS = ("embedded", "remote-oxigraph", "remote-virtuoso", "oxigraph")  # columns, in order


def tables(results: dict) -> str:
    """The import table and the latency table."""
    rows = []
    for size in results["sizes"]:
        imp, ox_load = size["napgraph_import"], size["oxigraph_load"]
        rows.append([f"{size['countries']} countries", f"{size['quads']:,}",
                     _run(imp), _run(ox_load),
                     f"{size['import_ratio']:.2f}×" if "import_ratio" in size else "–",
                     _mb(imp), _mb(ox_load)])
    parts = [report.table(["synthetic file", "quads", "napgraph import s", "oxigraph load s",
                           "import/load (≤1.5)", "import peak RSS MiB", "load peak RSS MiB"],
                          rows)]
    for size in results["sizes"]:
        if size.get("serving"):
            parts += ["", startup.tables(size)]
        if not size.get("queries"):
            continue
        kind = ("cross-country canned queries" if size.get("cross_country_queries") else
                "no cross-country canned queries yet: stand-ins from the workload")
        parts += ["", f"Latency, {size['countries']} countries + Japan, one client, median of "
                  f"{results['runs']} (best) ms; {kind}. {_loads(size)}; embedded ready in "
                  f"{size.get('embedded_ready_s', '?')} s, RSS "
                  f"{size.get('embedded_rss_mb', '?')} MiB; quads served: "
                  f"{_served(size.get('served_quads', {}))}.", ""]
        measured = [t for t in TARGETS if any(t in q["latency"] for q in size["queries"])]
        lat_rows = [[query["name"], *(_lat(query["latency"].get(t)) for t in measured),
                     _agree(query["latency"])] for query in size["queries"]]
        parts.append(report.table(["query", *(HEADINGS[t] for t in measured), "answers"],
                                  lat_rows))
    return "\n".join(parts)


HEADINGS = {"embedded": "embedded", "remote-oxigraph": "--store Oxigraph",
            "remote-virtuoso": "--store Virtuoso", "oxigraph": "Oxigraph directly"}


def _agree(latency: dict) -> str:
    """'same' when every target gave the same (folded) answer, else what each gave."""
    answers = {t: (v.get("count"), v.get("answer")) for t, v in latency.items() if v}
    if len(set(answers.values())) == 1 and "error" not in str(latency):
        return "same"
    return str({t: v.get("count", "error") for t, v in latency.items()})


def _served(counts: dict) -> str:
    """'N' when every target serves N quads, else each target's count."""
    if len(set(counts.values())) == 1:
        return f"{next(iter(counts.values())):,}"
    return ", ".join(f"{HEADINGS[t]} {n:,}" if n else f"{HEADINGS[t]} ?"
                     for t, n in counts.items())


def _loads(size: dict) -> str:
    """How each store was filled (push times) and why a remote target is missing."""
    parts = [f"push into Oxigraph: {_push(size.get('push'))}"]
    if "push-virtuoso" in size:
        parts.append(f"push into Virtuoso: {_push(size['push-virtuoso'])}")
    parts += [f"{name}: {size[name]}" for name in ("remote-oxigraph", "remote-virtuoso")
              if name in size]
    return "; ".join(parts)


def _run(result: dict) -> str:
    return f"{result['seconds']:.1f}" if result["status"] == 0 else f"failed ({result['status']})"


def _mb(result: dict) -> str:
    return f"{result['peak_rss_mb']:,}" if result.get("peak_rss_mb") else "?"


def _lat(value: dict | None) -> str:
    if not value:
        return "n/a"
    if "error" in value:
        return "error"
    return f"{value['median_ms']:.1f} ({value['best_ms']:.1f})"


def _push(value: dict | None) -> str:
    if not value:
        return "n/a"
    if value.get("status") == "ok":
        bulk = ", bulk loader" if value.get("bulk") else ""
        return f"{value['seconds']:.1f} s{bulk}, peak RSS {value.get('peak_rss_mb', '?')} MiB"
    return value.get("status", "n/a")
