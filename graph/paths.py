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


def search_query_file() -> Path:
    """The search page's query: what a search finds, read by the page (for a remote store)
    and by graph/search_index.py (which writes its answers into each store's index)."""
    return ROOT / "server" / "pages" / "queries" / "search.rq"
