"""What the emitters of one spreadsheet folder share: its rows, the graphs they write, the
ids declared so far, the source documents, and the problems found."""

from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from napgraph.graph.sheets.quotes import Sources
from napgraph.graph.sheets.read import Row, Sheets
from napgraph.graph.sheets.refs import References


@dataclass
class Folder:
    """One folder being converted for `country`."""

    country: str
    sheets: Sheets
    refs: References
    sources: Sources
    facts: Graph
    registry: Graph
    process: URIRef | None = None
    language: str | None = None  # of the *_local columns (process.csv)

    def local(self, row: Row, column: str) -> Literal:
        """The value of a `*_local` column, tagged with the folder's language."""
        if not self.language:
            self.refs.problems.append(row.problem(
                column, "give the language of the *_local columns in process.csv (language)"))
        return Literal(row.get(column), lang=self.language or None)
