"""A short run of the soak (bench/soak.py): its pieces work, and under a mixed load of
queries, pages and hostile requests no answer is a 5xx or wrong, but for the few the
fair-scheduling policy sheds (503 with Retry-After: a long query stopped for waiting ones). The real soak runs for
minutes and also judges memory; this one is too short for that."""

from __future__ import annotations

import json

from bench.soak import main


def test_a_short_soak_sees_no_error_and_no_wrong_answer(build, tmp_path, capsys):
    report = tmp_path / "soak.json"
    status = main(["--seconds", "8", "--clients", "4", "--sample-every", "1",
                   "--build-dir", str(build.release.parent.parent), "--logs", str(tmp_path),
                   "--json", str(report), "--max-growth-mib", "100000"])
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert summary["server_errors"] == 0, summary["examples"]
    assert summary["wrong"] == 0, summary["examples"]
    assert summary["shed"] <= 0.1 * summary["requests"], summary["shed_examples"]
    assert status == 0
    assert summary["requests"] > 200
    assert set(summary["kinds"]) == {"sparql", "canned", "page", "hostile"}
    assert summary["rss_mib"]["samples"] >= 5
