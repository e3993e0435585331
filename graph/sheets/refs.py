"""What a cell may point at: declared actors, places, consultations, plans; shared or the
country's own roles, actor kinds and topics; UN Guiding Principles. Each lookup notes a
problem naming the row and column when the value is unknown, and returns None."""

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from napgraph.graph import iris
from napgraph.graph.sheets.read import Row, SheetProblem

SCHEME_NAMES = {"role": "role", "actor-kind": "actor kind", "topic": "topic"}
PRINCIPLES = range(1, 32)


class References:
    """The ids a folder declares, and the shared concepts napgraph holds."""

    def __init__(self, country: str, schemes: Graph) -> None:
        self.country = country
        self.shared = {
            name: {
                str(c).rsplit("/", 1)[1]
                for c in schemes.subjects(SKOS.inScheme, iris.scheme(name))
            }
            for name in SCHEME_NAMES
        }
        self.own: dict[str, str] = {}  # concept id -> scheme
        self.ids: dict[str, dict] = {"actor": {}, "place": {}, "consultation": {}, "plan": {},
                                     "point": {}, "stage": {}}
        self.names: dict[str, str] = {}  # actor id -> English name, for labels
        self.problems: list[SheetProblem] = []

    def declare(self, kind: str, key, row: Row, column: str, value: object = True) -> bool:
        """Declare `key` as an id of `kind` (value: what it stands for); False, with a
        problem noted, if it is declared already."""
        if key in self.ids[kind]:
            self.problems.append(row.problem(column, f"{key!r} is declared twice"))
            return False
        self.ids[kind][key] = value
        return True

    def find(self, kind: str, key, row: Row, column: str, declared_in: str):
        """What the id `key` of `kind` stands for, or None (with a problem noted)."""
        if key in self.ids[kind]:
            return self.ids[kind][key]
        self.problems.append(row.problem(column, f"unknown {kind} {key!r}: not declared in {declared_in}"))
        return None

    def concept(self, scheme_name: str, slug: str, row: Row, column: str) -> URIRef | None:
        """The shared concept `slug` of a scheme, else the country's own from concepts.csv."""
        if slug in self.shared[scheme_name]:
            return iris.concept(scheme_name, slug)
        if self.own.get(slug) == scheme_name:
            return iris.country_concept(self.country, scheme_name, slug)
        label = SCHEME_NAMES[scheme_name]
        self.problems.append(row.problem(
            column, f"unknown {label} {slug!r}: neither a shared {label} "
            f"({', '.join(sorted(self.shared[scheme_name]))}) nor one of concepts.csv"))
        return None

    def principle(self, number: int, row: Row, column: str) -> URIRef | None:
        if number in PRINCIPLES:
            return iris.ungp_principle(number)
        self.problems.append(row.problem(column, f"no UN Guiding Principle {number} (1 to 31)"))
        return None
