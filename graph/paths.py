"""Where the data files live: one function each, so tests and deployments can point elsewhere.

The data folders (`ontology/`, `data/`, `queries/`) sit beside the `graph/` package both in
a source checkout (editable install) and inside an installed wheel (`napgraph/ontology`, …),
so one relative path serves both.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ontology_dir() -> Path:
    """The folder of the ontology, shapes and shared concept schemes (Turtle)."""
    return ROOT / "ontology"


def data_dir() -> Path:
    """The folder of registries (CSV/JSON) and the bundled source documents."""
    return ROOT / "data"


def queries_dir() -> Path:
    """The folder of canned SPARQL queries (`*.rq`)."""
    return ROOT / "queries"


def page_query_file(name: str) -> Path:
    """The page query `name` (server/pages/queries/{name}.rq): read by the pages, and by
    graph/page_index.py for the answers it keeps with each store (search, concept-facts)."""
    return ROOT / "server" / "pages" / "queries" / f"{name}.rq"
