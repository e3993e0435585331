"""The country-neutral graphs: the ontology and the shared concept schemes.

The UNGP scheme is generated from `data/shared/ungp-principles.csv` (the team's reference
table); the role, actor-kind, post and topic schemes are Turtle files in
`ontology/schemes/`.
"""

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from napgraph.graph import iris
from napgraph.graph.emit_facts import en
from napgraph.graph.paths import data_dir, ontology_dir
from napgraph.graph.registry import read_csv
from napgraph.graph.vocab import NAP

UNGP_SOURCE = URIRef("https://undocs.org/A/HRC/17/31")
PILLARS = {"I": 1, "II": 2, "III": 3}
# Japanese names of pillars, parts and sections, after the Japanese translation of the UNGPs.
JA_LABELS = "ungp-labels-ja.csv"
SDG_KOS = "http://metadata.un.org/sdg/"  # goals and targets of the UN SDG KOS
DESCRIPTION = (
    "The three pillars and 31 principles of the UN Guiding Principles on Business and Human "
    "Rights (UN document A/HRC/17/31, 2011, endorsed by Human Rights Council resolution 17/4), "
    "with collections of the foundational and operational principles and of each section. "
    "Principle summaries are napgraph's own words, not the official text."
)


def load_ontology() -> Graph:
    """Return the ontology graph (`ontology/napgraph.ttl`)."""
    return Graph().parse(ontology_dir() / "napgraph.ttl")


def load_schemes() -> Graph:
    """Return every shared concept scheme: the Turtle schemes plus the generated UNGP one.

    Each nap:concernsPrinciple link is also stated as the skos:relatedMatch it is a
    sub-property of, so SKOS tools without a reasoner see the topic-to-principle mappings.
    """
    graph = ungp_scheme()
    for path in sorted((ontology_dir() / "schemes").glob("*.ttl")):
        graph.parse(path)
    for topic, principle in list(graph.subject_objects(NAP.concernsPrinciple)):
        graph.add((topic, SKOS.relatedMatch, principle))
    _sdg_targets(graph)
    return graph


def _sdg_targets(graph: Graph) -> None:
    """Map topics to UN SDG KOS targets (`data/shared/topic-sdg-targets.csv`): a
    skos:relatedMatch and a scope note on the topic saying why, one per mapping."""
    for row in read_csv(data_dir() / "shared" / "topic-sdg-targets.csv"):
        topic = iris.concept("topic", row["topic"])
        if (topic, RDF.type, SKOS.Concept) not in graph:
            raise ValueError(f"topic-sdg-targets.csv: unknown topic {row['topic']!r}")
        graph.add((topic, SKOS.relatedMatch, URIRef(SDG_KOS + row["target"])))
        note = f"SDG target {row['target']} ({row['target_summary']}): {row['why']}"
        graph.add((topic, SKOS.scopeNote, en(note)))


def _japanese() -> dict[str, str]:
    """{pillar numeral, part or section (English): Japanese name}."""
    return {row["key"]: row["name_ja"] for row in read_csv(data_dir() / "shared" / JA_LABELS)}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def ungp_scheme() -> Graph:
    """Build the UN Guiding Principles scheme: 3 pillars, 31 principles, and collections of
    the foundational and operational principles and of each section."""
    graph = Graph()
    scheme, ja = iris.ungp_scheme(), _japanese()
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, en("UN Guiding Principles on Business and Human Rights")))
    graph.add((scheme, DCTERMS.title, Literal("ビジネスと人権に関する指導原則", lang="ja")))
    graph.add((scheme, DCTERMS.description, en(DESCRIPTION)))
    graph.add((scheme, DCTERMS.source, UNGP_SOURCE))
    graph.add((scheme, DCTERMS.source, iris.instrument("intl", "ungps")))
    graph.add((scheme, DCTERMS.identifier, Literal("A/HRC/17/31")))
    for row in read_csv(data_dir() / "shared" / "ungp-principles.csv"):
        pillar = _pillar(graph, scheme, row, ja)
        principle = iris.ungp_principle(int(row["number"]))
        graph.add((principle, RDF.type, SKOS.Concept))
        graph.add((principle, SKOS.inScheme, scheme))
        graph.add((principle, SKOS.notation, Literal(row["number"])))
        graph.add((principle, SKOS.prefLabel, en(f"Guiding Principle {row['number']}")))
        graph.add((principle, SKOS.prefLabel, Literal(f"指導原則{row['number']}", lang="ja")))
        graph.add((principle, SKOS.altLabel, en(f"UNGP {row['number']}")))
        graph.add((principle, SKOS.definition, en(row["summary"])))
        section = f" — {row['section']}" if row["section"] else ""
        graph.add(
            (
                principle,
                SKOS.scopeNote,
                en(f"Pillar {row['pillar']}, {row['part']} principle{section}"),
            )
        )
        graph.add((principle, SKOS.broader, pillar))
        graph.add((pillar, SKOS.narrower, principle))
        part = f"{row['part'].capitalize()} principles"
        _member(graph, iris.ungp_collection(row["part"]), part, ja[row["part"]], principle)
        if row["section"]:
            collection = iris.ungp_collection(f"section/{_slug(row['section'])}")
            _member(graph, collection, row["section"], ja[row["section"]], principle)
    return graph


def _pillar(graph: Graph, scheme: URIRef, row: dict, ja: dict[str, str]) -> URIRef:
    pillar = iris.ungp_pillar(PILLARS[row["pillar"]])
    if (pillar, RDF.type, SKOS.Concept) not in graph:
        graph.add((pillar, RDF.type, SKOS.Concept))
        graph.add((pillar, SKOS.inScheme, scheme))
        graph.add((pillar, SKOS.topConceptOf, scheme))
        graph.add((scheme, SKOS.hasTopConcept, pillar))
        graph.add((pillar, SKOS.notation, Literal(row["pillar"])))
        graph.add((pillar, SKOS.prefLabel, en(f"Pillar {row['pillar']}: {row['pillar_name']}")))
        label_ja = f"第{PILLARS[row['pillar']]}の柱：{ja[row['pillar']]}"
        graph.add((pillar, SKOS.prefLabel, Literal(label_ja, lang="ja")))
        graph.add((pillar, SKOS.definition, en(row["pillar_name"])))
    return pillar


def _member(graph: Graph, collection: URIRef, name: str, name_ja: str, member: URIRef) -> None:
    if (collection, RDF.type, SKOS.Collection) not in graph:
        graph.add((collection, RDF.type, SKOS.Collection))
        graph.add((collection, SKOS.prefLabel, en(name)))
        graph.add((collection, SKOS.prefLabel, Literal(name_ja, lang="ja")))
    graph.add((collection, SKOS.member, member))
