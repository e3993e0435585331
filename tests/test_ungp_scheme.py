"""The UN Guiding Principles scheme: collections, Japanese labels, links, summaries; and
the topics' mappings to UN SDG KOS targets."""

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from napgraph.graph import iris
from napgraph.graph.owl_lite import check_owl_lite
from napgraph.graph.paths import data_dir
from napgraph.graph.registry import read_csv
from napgraph.graph.schemes import load_ontology, load_schemes, ungp_scheme
from napgraph.graph.vocab import NAP

FOUNDATIONAL = {1, 2, 11, 12, 13, 14, 15, 25}
SECTIONS = {
    "general-state-regulatory-and-policy-functions": {3},
    "the-state-business-nexus": {4, 5, 6},
    "supporting-business-respect-for-human-rights-in-conflict-affected-areas": {7},
    "ensuring-policy-coherence": {8, 9, 10},
    "policy-commitment": {16},
    "human-rights-due-diligence": {17, 18, 19, 20, 21},
    "remediation": {22},
    "issues-of-context": {23, 24},
    "state-based-judicial-mechanisms": {26},
    "state-based-non-judicial-grievance-mechanisms": {27},
    "non-state-based-grievance-mechanisms": {28, 29, 30},
    "effectiveness-criteria-for-non-judicial-grievance-mechanisms": {31},
}


def members(collection: URIRef) -> set[int]:
    graph = ungp_scheme()
    assert (collection, RDF.type, SKOS.Collection) in graph
    return {int(str(m).rsplit("/", 1)[1]) for m in graph.objects(collection, SKOS.member)}


def test_foundational_and_operational_collections():
    assert members(iris.ungp_collection("foundational")) == FOUNDATIONAL
    assert members(iris.ungp_collection("operational")) == set(range(1, 32)) - FOUNDATIONAL


@pytest.mark.parametrize(("slug", "numbers"), SECTIONS.items(), ids=list(SECTIONS))
def test_section_collection(slug, numbers):
    assert members(iris.ungp_collection(f"section/{slug}")) == numbers


def test_sections_cover_the_operational_principles_once():
    covered = [n for numbers in SECTIONS.values() for n in numbers]
    assert sorted(covered) == sorted(set(range(1, 32)) - FOUNDATIONAL)


def _labelled() -> list[URIRef]:
    graph = ungp_scheme()
    return sorted(
        set(graph.subjects(RDF.type, SKOS.Concept)) | set(graph.subjects(RDF.type, SKOS.Collection))
    )


@pytest.mark.parametrize("node", _labelled(), ids=lambda n: n.removeprefix(str(iris.iri(""))))
def test_concept_and_collection_have_english_and_japanese_labels(node):
    languages = [label.language for label in ungp_scheme().objects(node, SKOS.prefLabel)]
    assert sorted(languages) == ["en", "ja"]


def test_pillar_japanese_labels():
    labels = {
        n: str(ungp_scheme().value(iris.ungp_pillar(n), SKOS.prefLabel, any=True))
        for n in (1, 2, 3)
    }
    japanese = {
        n: next(
            str(label)
            for label in ungp_scheme().objects(iris.ungp_pillar(n), SKOS.prefLabel)
            if label.language == "ja"
        )
        for n in labels
    }
    assert japanese == {
        1: "第1の柱：人権を保護する国家の義務",
        2: "第2の柱：人権を尊重する企業の責任",
        3: "第3の柱：救済へのアクセス",
    }


def test_scheme_is_linked_to_the_ungps_instrument():
    instrument = iris.instrument("intl", "ungps")
    assert (iris.ungp_scheme(), DCTERMS.source, instrument) in ungp_scheme()
    rows = read_csv(data_dir() / "jp" / "instruments.csv")
    assert any(row["slug"] == "ungps" and row["scope"] == "intl" for row in rows)


def test_concerns_principle_is_a_skos_mapping():
    assert (NAP.concernsPrinciple, RDFS.subPropertyOf, SKOS.relatedMatch) in load_ontology()
    schemes = load_schemes()
    links = set(schemes.subject_objects(NAP.concernsPrinciple))
    assert links and links <= set(schemes.subject_objects(SKOS.relatedMatch))


# Summaries whose commas were lost once (issue 13).
COMMAS = {
    13: "operations, products or services",
    14: "size, sector, operational context, ownership and structure",
    25: "judicial, administrative, legislative or other steps",
    26: "legal, practical and other barriers",
    30: "Industry, multi-stakeholder and other",
    31: "legitimate, accessible, predictable, equitable, transparent, rights-compatible",
}


@pytest.mark.parametrize(("number", "phrase"), COMMAS.items(), ids=[str(n) for n in COMMAS])
def test_principle_summary_keeps_its_commas(number, phrase):
    definition = ungp_scheme().value(iris.ungp_principle(number), SKOS.definition)
    assert isinstance(definition, Literal) and phrase in str(definition)


# --- topics → UN SDG KOS targets ----------------------------------------------------------

SDG_ROWS = read_csv(data_dir() / "shared/topic-sdg-targets.csv")


@pytest.mark.parametrize("row", SDG_ROWS, ids=[f"{r['topic']}-{r['target']}" for r in SDG_ROWS])
def test_topic_is_mapped_to_an_sdg_target_with_a_note(row):
    schemes = load_schemes()
    topic = iris.concept("topic", row["topic"])
    target = URIRef(f"http://metadata.un.org/sdg/{row['target']}")
    assert re.fullmatch(r"([1-9]|1[0-7])\.([1-9][0-9]?|[a-z])", row["target"])
    assert (topic, SKOS.relatedMatch, target) in schemes
    notes = [str(n) for n in schemes.objects(topic, SKOS.scopeNote)]
    assert any(note.startswith(f"SDG target {row['target']} (") for note in notes)


def test_sdg_mappings_keep_the_schemes_owl_lite():
    assert check_owl_lite(load_ontology() + load_schemes()) == []
