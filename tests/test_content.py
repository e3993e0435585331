"""Content that reads right: what the pages and the graph say to a reader.

Curators' notes stay in the CSVs; every other case is checked on the live site.
"""

from __future__ import annotations

import csv

import pyoxigraph as ox
import pytest

from napgraph.graph.paths import data_dir

REGISTRIES = ("actors.csv", "persons.csv", "instruments.csv")


def _notes() -> list[tuple[str, str]]:
    notes = []
    for name in REGISTRIES:
        with open(data_dir() / "jp" / name, encoding="utf-8", newline="") as handle:
            notes += [(f"{name}:{row['slug']}", row["note"]) for row in csv.DictReader(handle)
                      if row.get("note")]
    return notes


NOTES = _notes()


def test_there_are_notes_to_keep():
    assert len(NOTES) >= 40  # 27 actors, 13 instruments, 2 persons when this was written


@pytest.mark.parametrize(("entity", "note"), NOTES, ids=[e for e, _ in NOTES])
def test_a_curators_note_is_not_published(store, entity, note):
    found = store.query("ASK { ?s ?p ?text }", substitutions={ox.Variable("text"):
                                                               ox.Literal(note, language="en")},
                        use_default_graph_as_union=True)
    assert not bool(found), f"the note of {entity} is in the graph"
