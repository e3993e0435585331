"""Shared fixtures: the real build (once per session) and a store loaded from it."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from napgraph.graph.build import run_build
from napgraph.graph.vocab import PREFIXES

pytest_plugins = [
    f"tests.{name}"
    for name in ("server_fixtures", "store_fixtures", "site_fixtures")
    if (Path(__file__).parent / f"{name}.py").exists()
]


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    """Build the Japanese graph from the bundled source into a fresh folder."""
    folder = tmp_path_factory.mktemp("build")
    report = run_build(folder)
    return report


@pytest.fixture(scope="session")
def store(build) -> ox.Store:
    """An in-memory store holding the build's N-Quads, default graph = union of named graphs."""
    store = ox.Store()
    store.bulk_load(path=str(build.release / "napgraph.nq"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="session")
def sparql(store):
    """Run a SELECT over the union of all graphs with variables bound by substitution
    (pyoxigraph requires them projected); returns rows of {unbound variable: lexical value}."""

    def run(query: str, **bindings) -> list[dict]:
        prefixes = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items())
        substitutions = {ox.Variable(k): _term(v) for k, v in bindings.items()}
        solutions = store.query(
            prefixes + "\n" + query, use_default_graph_as_union=True, substitutions=substitutions
        )
        names = [v.value for v in solutions.variables if v.value not in bindings]
        return [
            {n: (row[n].value if row[n] is not None else None) for n in names} for row in solutions
        ]

    return run


def _term(value):
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return ox.NamedNode(value)
    return ox.Literal(value)
