"""Content that reads right: what the pages and the graph say to a reader.

Curators' notes stay in the CSVs; every other case is checked on the live site.
"""

from __future__ import annotations

import csv
import re

import pyoxigraph as ox
import pytest
import requests

from napgraph.graph.paths import data_dir

REGISTRIES = ("actors.csv", "persons.csv", "instruments.csv")


def _notes() -> list[tuple[str, str]]:
    notes = []
    for name in REGISTRIES:
        with open(data_dir() / "jp" / name, encoding="utf-8", newline="") as handle:
            notes += [(f"{name}:{row['slug']}", row["note"]) for row in csv.DictReader(handle)
                      if row.get("note")]
    return notes


NOTES = _notes()


def test_there_are_notes_to_keep():
    assert len(NOTES) >= 40  # 27 actors, 13 instruments, 2 persons when this was written


@pytest.mark.parametrize(("entity", "note"), NOTES, ids=[e for e, _ in NOTES])
def test_a_curators_note_is_not_published(store, entity, note):
    found = store.query("ASK { ?s ?p ?text }", substitutions={ox.Variable("text"):
                                                               ox.Literal(note, language="en")},
                        use_default_graph_as_union=True)
    assert not bool(found), f"the note of {entity} is in the graph"


# --- pages that read right, over HTTP to the live server ----------------------------------

ID = "https://w3id.org/napgraph/id/"
NAP = "https://w3id.org/napgraph/ontology#"


def page(server, path: str) -> str:
    response = requests.get(server.root + path, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    return response.text


def search(server, text: str) -> set[str]:
    response = requests.get(server.root + "/search", params={"q": text, "format": "json"},
                            timeout=30)
    assert response.status_code == 200
    return {b["resource"]["value"] for b in response.json()["results"]["bindings"]}


@pytest.mark.parametrize("topic", ["access-to-remedy", "equality-and-non-discrimination"])
def test_a_topic_page_shows_principles_not_its_narrower_topics(site_server, topic):
    html = page(site_server, f"/id/topic/{topic}")
    assert "No consultation topic is aligned to this principle yet" not in html
    section = html.split('id="alignments-heading"', 1)[1].split("</section>", 1)[0]
    cards = re.findall(r'<h3><a href="([^"]+)"', section)
    assert cards and all(href.startswith("/id/ungp/principle/") for href in cards)


def test_a_stakeholder_page_shows_what_the_stakeholders_reported(site_server, store):
    # By the record: every consultation has contributions "by the stakeholders"; Keidanren
    # attended as a stakeholder. Counted here from the graph, independently of the page.
    expected = store.query(
        "PREFIX nap: <https://w3id.org/napgraph/ontology#> "
        "PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?m nap:hasParticipation ?p . "
        f"?p prov:agent <{ID}jp/org/keidanren> ; prov:hadRole ?role . "
        "?c nap:contributionTo ?m ; nap:contributorRole ?role }",
        use_default_graph_as_union=True)
    count = int(next(iter(expected))["n"].value)
    assert count >= 10
    html = page(site_server, "/id/jp/org/keidanren")
    assert "attributes no report, presentation or statement to Keidanren." not in html
    group = html.split('class="facts group-contributions"', 1)[1].split("</ul>", 1)[0]
    assert group.count('<li class="fact">') == count
    assert "by the stakeholder group" in group


def test_a_consultation_lists_the_laws_it_mentions_and_its_attendee_kinds(site_server):
    html = page(site_server, "/id/jp/consultation/2018-04")
    laws = html.split('id="instruments-heading"', 1)[1].split("</section>", 1)[0]
    # The Ministry of Justice's report names these four laws (4th consultation, item 1).
    for law in ("Code of Civil Procedure", "Penal Code", "Labor Tribunal Act",
                "Product Liability Act"):
        assert re.search(re.escape(law) + r'</a> <span class="badge badge-law">law</span>',
                         laws), law
    assert "OECD Guidelines for Multinational Enterprises" in laws
    kinds = re.search(r'<p class="attendee-kinds" id="attendee-kinds">By kind: (.*?)</p>',
                      html, re.S).group(1)
    counts = [int(n) for n in re.findall(r" (\d+)(?: ·|$)", kinds.strip())]
    assert sum(counts) == 21  # the 21 attendees of the 4th consultation, each once


def test_a_persons_affiliation_goes_up_to_the_organisation(site_server):
    html = page(site_server, "/id/jp/person/yamada-miwa")
    structure = html.split('id="structure-heading"', 1)[1].split("</section>", 1)[0]
    assert "Japan External Trade Organization" in structure
    assert "Member of a unit of" in structure


def test_property_labels_read_as_words(site_server, store):
    contribution = next(iter(store.query(
        "SELECT ?c WHERE { ?c <http://www.w3.org/ns/prov#wasAttributedTo> ?a } LIMIT 1",
        use_default_graph_as_union=True)))["c"].value
    html = page(site_server, contribution.replace("https://w3id.org/napgraph", ""))
    assert "WasAttributedTo" not in html
    assert ">Was attributed to</a>" in html


def test_search_folds_british_and_american_spelling(site_server):
    british, american = search(site_server, "child labour"), search(site_server, "child labor")
    assert british and british == american


@pytest.mark.parametrize("text", ["consultation", "participation", "report"])
def test_search_leaves_out_the_ontologys_terms(site_server, text):
    found = search(site_server, text)
    assert found
    assert not [iri for iri in found if iri.startswith(NAP)]
