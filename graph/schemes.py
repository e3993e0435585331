"""The country-neutral graphs: the ontology and the shared concept schemes.

The UNGP scheme is generated from `data/shared/ungp-principles.csv` (the team's reference
table); the role, actor-kind, post and topic schemes are Turtle files in
`ontology/schemes/`.
"""

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from napgraph.graph import iris
from napgraph.graph.emit_facts import en
from napgraph.graph.paths import data_dir, ontology_dir
from napgraph.graph.registry import read_csv

UNGP_SOURCE = URIRef("https://undocs.org/A/HRC/17/31")
PILLARS = {"I": 1, "II": 2, "III": 3}


def load_ontology() -> Graph:
    """Return the ontology graph (`ontology/napgraph.ttl`)."""
    return Graph().parse(ontology_dir() / "napgraph.ttl")


def load_schemes() -> Graph:
    """Return every shared concept scheme: the Turtle schemes plus the generated UNGP one."""
    graph = ungp_scheme()
    for path in sorted((ontology_dir() / "schemes").glob("*.ttl")):
        graph.parse(path)
    return graph


def ungp_scheme() -> Graph:
    """Build the UN Guiding Principles scheme: 3 pillars, 31 principles."""
    graph = Graph()
    scheme = iris.ungp_scheme()
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, en("UN Guiding Principles on Business and Human Rights")))
    graph.add(
        (
            scheme,
            DCTERMS.description,
            en(
                "The three pillars and 31 principles of the UN Guiding Principles on Business and Human "
                "Rights (UN document A/HRC/17/31, 2011, endorsed by Human Rights Council resolution 17/4). "
                "Principle summaries are napgraph's own words, not the official text."
            ),
        )
    )
    graph.add((scheme, DCTERMS.source, UNGP_SOURCE))
    graph.add((scheme, DCTERMS.identifier, Literal("A/HRC/17/31")))
    for row in read_csv(data_dir() / "shared" / "ungp-principles.csv"):
        pillar = iris.ungp_pillar(PILLARS[row["pillar"]])
        if (pillar, RDF.type, SKOS.Concept) not in graph:
            graph.add((pillar, RDF.type, SKOS.Concept))
            graph.add((pillar, SKOS.inScheme, scheme))
            graph.add((pillar, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, pillar))
            graph.add((pillar, SKOS.notation, Literal(row["pillar"])))
            graph.add((pillar, SKOS.prefLabel, en(f"Pillar {row['pillar']}: {row['pillar_name']}")))
            graph.add((pillar, SKOS.definition, en(row["pillar_name"])))
        principle = iris.ungp_principle(int(row["number"]))
        graph.add((principle, RDF.type, SKOS.Concept))
        graph.add((principle, SKOS.inScheme, scheme))
        graph.add((principle, SKOS.notation, Literal(row["number"])))
        graph.add((principle, SKOS.prefLabel, en(f"Guiding Principle {row['number']}")))
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
    return graph
