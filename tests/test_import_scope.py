"""A scoped, checked import: only the named country's own resources are imported, shared
resources keep napgraph's one description, `--country` must match the data, blank nodes
and quotes that are not the source text are refused, non-conforming data fails with a
summary first, no traceback reaches the user, and `napgraph remove` takes a country out."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from napgraph.graph import canned
from napgraph.graph.imports import ImportRefused, import_country
from napgraph.graph.loaded import imported_countries, loaded_graph_files
from napgraph.server.pages.site_data import PAGE_QUERIES
from tests.test_canned_queries import LOCAL_FILES
from tests.test_no_double_counting import BINDINGS, _expand, answers

COUNTRIES = Path(__file__).parent / "data" / "countries"
FIXTURE = COUNTRIES / "xx.ttl"
SHARED = COUNTRIES / "xx-redescribes-shared.ttl"
SOURCE_TEXT = COUNTRIES / "xx-source.txt"
ID = "https://w3id.org/napgraph/id/"
KEPT_OUT = [ID + "intl/instrument/ungps", ID + "ungp/principle/17", ID + "topic/supply-chains",
            ID + "intl/org/ilo", ID + "country/jp", ID + "jp/org/mofa"]


def napgraph(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "napgraph", *args], capture_output=True, text=True, timeout=300
    )


def variant(tmp_path: Path, name: str, old: str, new: str, source: Path = FIXTURE) -> Path:
    text = source.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.fixture
def build_dir(build, tmp_path) -> Path:
    folder = tmp_path / "build"
    shutil.copytree(build.release.parents[1], folder, symlinks=True)
    return folder


@pytest.fixture(scope="module")
def with_shared(build, tmp_path_factory) -> tuple[Path, object]:
    """Japan's build with xx imported from xx.ttl plus its re-descriptions of shared
    resources and of Japan."""
    folder = tmp_path_factory.mktemp("scope") / "build"
    shutil.copytree(build.release.parents[1], folder, symlinks=True)
    source = folder.parent / "xx-with-shared.ttl"
    source.write_text(FIXTURE.read_text(encoding="utf-8") + SHARED.read_text(encoding="utf-8"))
    report = import_country(str(source), "xx", folder)
    return folder, report


@pytest.fixture(scope="module")
def stores(build, with_shared) -> tuple[ox.Store, ox.Store]:
    alone, both = ox.Store(), ox.Store()
    alone.bulk_load(path=str(build.release / "napgraph.nq"), format=ox.RdfFormat.N_QUADS)
    for path in loaded_graph_files(with_shared[0]):
        both.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return alone, both


# --- shared resources ---------------------------------------------------------------------


def test_redescriptions_of_shared_resources_are_kept_out(with_shared):
    folder, report = with_shared
    quads = list(ox.parse(path=str(folder / "countries/xx/current/graph.nq"),
                          format=ox.RdfFormat.N_QUADS))
    subjects = {q.subject.value for q in quads}
    assert not subjects & set(KEPT_OUT)
    assert {q.triple for q in quads} == {
        q.triple for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)}
    text = report.summary()
    assert all(f"<{iri}>" in text for iri in KEPT_OUT)
    assert report.manifest["kept_out"] == 11


def test_international_instruments_keeps_one_label(stores):
    alone, both = stores
    query = canned.load_queries()["international-instruments"]
    before, after = answers(alone, query, {}), answers(both, query, {})
    assert sum(before.values()) == 22  # Global Framework Agreements are not international
    assert sum(after.values()) == 23  # Exampleland's one mention of the UNGPs, nothing more
    labels = {row[1] for row in after}
    assert not any("Exampleland" in str(label) for label in labels)


def japan_rows(counter: Counter) -> Counter:
    return Counter({row: n for row, n in counter.items()
                    if any("/id/jp/" in str(v) or "/country/jp" in str(v) for v in row)})


@pytest.mark.parametrize("path", LOCAL_FILES, ids=[p.stem for p in LOCAL_FILES])
def test_canned_query_rows_of_japan_stay(stores, path):
    alone, both = stores
    query = canned.load_query(path)
    before = japan_rows(answers(alone, query, {}))
    after = japan_rows(answers(both, query, {}))
    assert after == before


# Queries whose answer covers every country by design: the home page's catalogue and search.
# (param-choices offers a consultation's or actor's own country's, and every country.)
ALL_COUNTRIES = ("home-counts", "home-datasets", "search")
PAGES = [pytest.param(name, b, id=f"{name}-{n}") for name, cases in sorted(BINDINGS.items())
         if not name.startswith("_") and name not in ALL_COUNTRIES
         for n, b in enumerate(cases, 1)]


@pytest.mark.parametrize(("name", "bindings"), PAGES)
def test_page_query_rows_of_japan_stay(stores, name, bindings):
    alone, both = stores
    query = canned.load_query(PAGE_QUERIES / f"{name}.rq")
    before = japan_rows(answers(alone, query, _expand(bindings)))
    assert japan_rows(answers(both, query, _expand(bindings))) == before


# --- refusals -------------------------------------------------------------------------------


def test_a_country_that_does_not_match_the_data_is_refused(build_dir):
    done = napgraph("import", str(FIXTURE), "--country", "gb", "--build-dir", str(build_dir))
    assert done.returncode == 1
    assert "--country gb does not match the data, which describes xx" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (build_dir / "countries").exists()


PREFIXES = """@prefix nap: <https://w3id.org/napgraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
NO_COUNTRY = [
    pytest.param('<https://example.org/nap/process> a nap:NAPProcess ;\n'
                 '    rdfs:label "A NAP process of nowhere (synthetic)"@en ;\n'
                 '    dcterms:spatial <https://example.org/country/zz> .\n', id="own-namespace"),
    pytest.param('<https://example.org/nap/report> rdfs:label "A report (synthetic)"@en ;\n'
                 f'    <https://schema.org/mentions> <{ID}intl/instrument/ungps> ;\n'
                 '    dcterms:spatial <http://www.wikidata.org/entity/Q17> .\n',
                 id="country-in-another-vocabulary"),
]


@pytest.mark.parametrize("body", NO_COUNTRY)
def test_data_that_names_no_country_is_refused(build_dir, tmp_path, body):
    source = tmp_path / "nowhere.ttl"
    source.write_text(PREFIXES + body, encoding="utf-8")
    done = napgraph("import", str(source), "--country", "xx", "--build-dir", str(build_dir))
    assert done.returncode == 1
    assert "the data does not say which country it describes" in done.stderr
    assert f"no dcterms:spatial <{ID}country/xx>" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (build_dir / "countries").exists()


def test_japan_imported_as_another_country_is_refused(build, build_dir):
    with pytest.raises(ImportRefused, match="--country zz does not match .* describes jp"):
        import_country(str(build.release / "napgraph.trig"), "zz", build_dir)
    assert not (build_dir / "countries").exists()


REFUSED = [
    pytest.param("prov:agent <org/university>",
                 'prov:agent [ a prov:Agent ; rdfs:label "University (blank, synthetic)"@en ]', (),
                 ["blank nodes are refused",
                  "participation/university> <http://www.w3.org/ns/prov#agent> _:"],
                 id="blank-node-actor"),
    pytest.param('oa:exact "UN Guiding Principles"', 'oa:exact "UN Guiding Principals"',
                 ("--source-text", str(SOURCE_TEXT)),
                 ["1 quote(s) differ", "mention-ungps-1-target>: quotes 'UN Guiding Principals'"
                  " at 532–553"], id="misquote"),
    pytest.param('nap:ordinal "1"^^xsd:positiveInteger', 'nap:ordinal "one"^^xsd:positiveInteger',
                 (), ["A consultation has exactly one ordinal", "details:"], id="ill-typed"),
]


@pytest.mark.parametrize(("old", "new", "options", "messages"), REFUSED)
def test_bad_data_is_refused_with_its_reason_and_nothing_written(
        build_dir, tmp_path, old, new, options, messages):
    source = variant(tmp_path, "bad.ttl", old, new)
    done = napgraph("import", str(source), "--country", "xx", *options,
                    "--build-dir", str(build_dir))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert all(message in done.stderr for message in messages)
    assert not (build_dir / "countries").exists()


def test_quotes_that_match_the_source_text_pass(build_dir):
    done = napgraph("import", str(FIXTURE), "--country", "xx", "--source-text",
                    str(SOURCE_TEXT), "--build-dir", str(build_dir))
    assert done.returncode == 0, done.stderr
    assert "xx" in imported_countries(build_dir)


# --- remove ---------------------------------------------------------------------------------


def test_remove_takes_the_country_out_at_once(build_dir):
    assert napgraph("import", str(FIXTURE), "--country", "xx",
                    "--build-dir", str(build_dir)).returncode == 0
    done = napgraph("remove", "XX", "--build-dir", str(build_dir))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("removed xx (")
    assert imported_countries(build_dir) == {}
    assert [p.name for p in (build_dir / "countries").iterdir()] == []
    assert len(loaded_graph_files(build_dir)) == 1


@pytest.mark.parametrize("country", ["xx", "jp", "xyz"])
def test_remove_refuses_what_is_not_imported(build_dir, country):
    before = json.dumps(sorted(str(p) for p in build_dir.rglob("*")))
    done = napgraph("remove", country, "--build-dir", str(build_dir))
    assert done.returncode == 1
    assert "no imported country" in done.stderr
    assert json.dumps(sorted(str(p) for p in build_dir.rglob("*"))) == before
