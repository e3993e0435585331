"""The synthetic-country generator: deterministic, conforming, Japan-sized, never a real
country code."""

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from napgraph.graph import iris
from napgraph.graph.owl_lite import declared_terms
from napgraph.graph.paths import ontology_dir
from napgraph.graph.synthetic import (
    MAX_COUNTRIES,
    code,
    generate,
    is_synthetic,
    write_nquads,
)
from napgraph.graph.synthetic_country import COMMENT
from napgraph.graph.validate import validate_file

ISO_CODES = [
    line.split("\t")[0]
    for line in (Path(__file__).parent / "data" / "iso3166-alpha2.txt").read_text().splitlines()
    if line and not line.startswith("#")
]
LANGUAGE = (str(RDF), str(RDFS), str(OWL))


def test_the_iso_list_is_complete():
    assert len(ISO_CODES) == len(set(ISO_CODES)) == 249
    assert {"JP", "FR", "KE", "AQ"} <= set(ISO_CODES)


def test_synthetic_codes_are_never_iso_codes():
    codes = [code(index) for index in range(1, MAX_COUNTRIES + 1)]
    assert len(set(codes)) == MAX_COUNTRIES
    assert not {c.upper() for c in codes} & set(ISO_CODES)
    assert all(len(c) == 5 and is_synthetic(c) for c in codes)
    assert not any(is_synthetic(iso.lower()) for iso in ISO_CODES)


@pytest.mark.parametrize("index", [0, -1, MAX_COUNTRIES + 1])
def test_out_of_range_country_numbers_are_refused(index):
    with pytest.raises(ValueError, match="numbered 1 to"):
        code(index)


def test_same_seed_same_quads():
    assert list(generate(2, seed=7, consultations=2)) == list(generate(2, seed=7, consultations=2))


def test_other_seed_other_quads():
    assert set(generate(1, seed=1, consultations=2)) != set(generate(1, seed=2, consultations=2))


def test_more_countries_extend_fewer():
    three = list(generate(3, seed=0, consultations=2))
    assert list(generate(5, seed=0, consultations=2))[: len(three)] == three


@pytest.mark.parametrize("countries", [1, 2, 4, 8, 16])
def test_size_grows_linearly_at_about_ten_thousand_quads_per_country(countries):
    """So 100 countries make about 10^6 quads and 1,000 about 10^7."""
    assert 8_000 <= sum(1 for _ in generate(countries)) / countries <= 12_000


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("synthetic") / "three.nq"
    write_nquads(path, 3, seed=0, consultations=3)
    return path


def test_three_countries_conform_to_the_shapes(three):
    result = validate_file(three)
    assert result.conforms, result.text


def test_each_country_has_its_own_graphs(three):
    graphs = {q.graph_name.value for q in ox.parse(path=str(three), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {
        str(iris.graph(f"{cc}{part}"))
        for cc in ("s0001", "s0002", "s0003")
        for part in ("", "/registry", "/provenance")
    }


def test_every_term_is_declared_in_the_ontology(three):
    declared = {str(t) for t in declared_terms(Graph().parse(ontology_dir() / "napgraph.ttl"))}
    quads = list(ox.parse(path=str(three), format=ox.RdfFormat.N_QUADS))
    used = {q.predicate.value for q in quads} | {
        q.object.value for q in quads if q.predicate.value == str(RDF.type)
    }
    assert sorted(t for t in used - declared if not t.startswith(LANGUAGE)) == []


def test_everything_says_it_is_synthetic(three):
    quads = list(ox.parse(path=str(three), format=ox.RdfFormat.N_QUADS))
    commented = {q.subject.value for q in quads if q.object.value == COMMENT}
    for cc in ("s0001", "s0002", "s0003"):
        assert {str(iris.country(cc)), str(iris.nap_process(cc, "synthetic"))} <= commented
    labels = [q.object.value for q in quads if q.predicate.value == str(RDFS.label)]
    assert all("synthetic" in label.lower() for label in labels)


def test_every_iri_is_of_a_synthetic_country_or_shared(three):
    prefix = iris.DEFAULT_BASE + "id/"
    used = {
        term.value
        for quad in ox.parse(path=str(three), format=ox.RdfFormat.N_QUADS)
        for term in (quad.subject, quad.object)
        if isinstance(term, ox.NamedNode) and term.value.startswith(prefix)
    }
    codes = {"s0001", "s0002", "s0003"}
    assert {iri[len(prefix) :].split("/", 1)[0] for iri in used} == codes | {
        "country",
        "topic",
        "role",
        "actor-kind",
    }
    assert {iri.rsplit("/", 1)[1] for iri in used if iri.startswith(prefix + "country/")} == codes


def test_cli_writes_the_same_quads(tmp_path):
    out = tmp_path / "two.nq"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "napgraph",
            "synth",
            "--countries",
            "2",
            "--out",
            str(out),
            "--seed",
            "5",
            "--consultations",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    expected = list(generate(2, seed=5, consultations=2))
    assert f"wrote {len(expected)} quads of 2 synthetic countries" in done.stdout
    assert set(ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)) == set(expected)
