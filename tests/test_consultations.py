"""Each consultation as the record states it, checked in the built graph through SPARQL.

The expected facts are written by hand from the source (tests/data/jp-expected.json).
"""

import json
from pathlib import Path

import pytest

from napgraph.graph import iris
from napgraph.graph.paths import data_dir

EXPECTED = json.loads((Path(__file__).parent / "data" / "jp-expected.json").read_text())
CONSULTATIONS = EXPECTED["consultations"]
IDS = [f"c{c['ordinal']:02d}" for c in CONSULTATIONS]


def consultation_iri(case: dict) -> str:
    return str(iris.consultation("jp", int(case["date"][:4]), case["ordinal"]))


def slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def test_there_are_ten_consultations(sparql):
    rows = sparql("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a nap:Consultation }")
    assert rows[0]["n"] == "10"


@pytest.mark.parametrize("case", CONSULTATIONS, ids=IDS)
def test_date_and_ordinal(sparql, case):
    rows = sparql(
        "SELECT ?c ?date ?ordinal WHERE { ?c schema:startDate ?date ; nap:ordinal ?ordinal }",
        c=consultation_iri(case),
    )
    assert rows == [{"date": case["date"], "ordinal": str(case["ordinal"])}]


@pytest.mark.parametrize("case", CONSULTATIONS, ids=IDS)
def test_topic_statement(sparql, case):
    rows = sparql(
        "SELECT ?c ?topic WHERE { ?c nap:topicStatement ?topic }", c=consultation_iri(case)
    )
    assert [r["topic"] for r in rows] == [case["topic_statement"]]


@pytest.mark.parametrize("case", CONSULTATIONS, ids=IDS)
def test_attendees_by_role(sparql, case):
    rows = sparql(
        """SELECT ?c ?actor ?role WHERE {
        ?c nap:hasParticipation ?p . ?p prov:agent ?actor ; prov:hadRole ?role }""",
        c=consultation_iri(case),
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(slug(row["role"]), set()).add(slug(row["actor"]))
    expected = {
        role: set(EXPECTED["common"].get(names, names) if isinstance(names, str) else names)
        for role, names in case["attendees"].items()
    }
    assert found == expected


@pytest.mark.parametrize("case", CONSULTATIONS, ids=IDS)
def test_each_attendee_once(sparql, case):
    rows = sparql(
        """SELECT ?c ?actor (COUNT(?p) AS ?n) WHERE {
        ?c nap:hasParticipation ?p . ?p prov:agent ?actor } GROUP BY ?c ?actor HAVING (COUNT(?p) > 1)""",
        c=consultation_iri(case),
    )
    assert rows == []


@pytest.mark.parametrize("case", CONSULTATIONS, ids=IDS)
def test_contributions(sparql, case):
    rows = sparql(
        """SELECT ?c ?k ?kind (GROUP_CONCAT(STR(?who); separator=" ") AS ?whos) WHERE {
        ?c nap:hasContribution ?k . ?k a ?kind ; skos:notation ?n .
        FILTER (?kind IN (nap:Report, nap:Presentation, nap:Statement))
        { ?k prov:wasAttributedTo ?who } UNION { ?k nap:contributorRole ?who }
    } GROUP BY ?c ?k ?kind""",
        c=consultation_iri(case),
    )
    order = sparql(
        "SELECT ?c ?k ?n WHERE { ?c nap:hasContribution ?k . ?k skos:notation ?n }",
        c=consultation_iri(case),
    )
    by_notation = {r["k"]: tuple(int(x) for x in r["n"].split("-")) for r in order}
    rows.sort(key=lambda r: by_notation[r["k"]])
    found = [
        [slug(r["kind"]).split("#")[-1], sorted(slug(w) for w in r["whos"].split())] for r in rows
    ]
    assert found == [[kind, sorted(who)] for kind, who in case["contributions"]]


@pytest.mark.parametrize("case", CONSULTATIONS, ids=IDS)
def test_discussion_point_headings(sparql, case):
    rows = sparql(
        """SELECT ?c ?heading ?position WHERE {
        ?c nap:hasDiscussionPoint ?d . ?d rdfs:label ?heading ; nap:position ?position }
        ORDER BY ?position""",
        c=consultation_iri(case),
    )
    assert [r["heading"] for r in rows] == case["headings"]


@pytest.mark.parametrize("case", CONSULTATIONS, ids=IDS)
def test_decisions(sparql, case):
    """Only the 6th consultation records a decision, based on its three discussion points."""
    rows = sparql(
        """SELECT ?c ?decided (COUNT(?point) AS ?points) WHERE {
        ?c nap:hasDecision ?d . ?d nap:subjectText ?decided ; nap:decidedAt ?c .
        OPTIONAL { ?d prov:wasDerivedFrom ?point . ?point nap:discussedAt ?c }
    } GROUP BY ?c ?d ?decided""",
        c=consultation_iri(case),
    )
    assert [[r["decided"], int(r["points"])] for r in rows] == case.get("decisions", [])


@pytest.mark.parametrize("case", CONSULTATIONS, ids=IDS)
def test_every_fact_points_to_its_sentence(sparql, case):
    """Each consultation's annotations quote the source text exactly at their offsets."""
    rows = sparql(
        """SELECT ?c ?node ?start ?end ?exact WHERE {
        ?a oa:hasBody ?node ; oa:motivatedBy oa:describing ; oa:hasTarget ?t .
        ?t oa:hasSelector ?pos, ?quote .
        ?pos oa:start ?start ; oa:end ?end . ?quote oa:exact ?exact .
        FILTER (STRSTARTS(STR(?node), STR(?c)))
    }""",
        c=consultation_iri(case),
    )
    source = (data_dir() / "source" / "jp-nap-2018-consultations.txt").read_text(encoding="utf-8")
    assert rows
    for row in rows:
        assert source[int(row["start"]) : int(row["end"])] == row["exact"], row["node"]


@pytest.mark.parametrize(
    ("contribution", "subject"),
    [
        ("2018-06/contribution/1", "a rough plan as a way forward regarding the baseline "
         "assessment on business and human rights"),
        ("2018-07/contribution/1-2", "a way forward regarding the baseline assessment on "
         "business and human rights"),
        ("2018-09/contribution/1", "a way forward regarding the baseline assessment on "
         "business and human rights"),
    ],
)
def test_subject_is_what_was_explained_not_the_discussion_after(sparql, contribution, subject):
    """'… explained a way forward …, and discussed it with the participants' (lines 234, 274,
    371): the subject is what was explained; the description keeps the whole sentence."""
    rows = sparql(
        "SELECT ?k ?subject ?text WHERE { ?k nap:subjectText ?subject ; dcterms:description ?text }",
        k=f"https://w3id.org/napgraph/id/jp/consultation/{contribution}",
    )
    assert [r["subject"] for r in rows] == [subject]
    assert "discussed" in rows[0]["text"]


@pytest.mark.parametrize(
    ("node", "topic"),
    [
        ("2018-01/point/1", "sdgs"),  # line 21: "links with SDGs"
        ("2018-06/point/2", "sdgs"),  # lines 242-244: "Strengthening links with SDGs"
        ("2018-05/point/3", "foreign-workers"),  # line 206: the Migrant Workers Convention
    ],
)
def test_instrument_names_name_their_topics(sparql, node, topic):
    rows = sparql(
        "SELECT ?n ?topic WHERE { ?n schema:about ?topic }",
        n=f"https://w3id.org/napgraph/id/jp/consultation/{node}",
    )
    assert f"https://w3id.org/napgraph/id/topic/{topic}" in {r["topic"] for r in rows}


def test_no_topic_is_read_from_an_actors_name(sparql):
    """A topic tag's evidence is never a word of an organisation's or person's name ("Labour"
    in "Ministry of Health, Labour and Welfare", lines 52, 99, 147, 320, 372)."""
    from napgraph.graph.registry import load_registry

    source = (data_dir() / "source" / "jp-nap-2018-consultations.txt").read_text(encoding="utf-8")
    actor_names = [
        (m.start, m.end)
        for m in load_registry("jp").names.find_all(source)
        if not m.entity.key.startswith("instrument:")
    ]
    rows = sparql(
        """SELECT ?a ?start ?end WHERE {
        ?a oa:motivatedBy oa:tagging ; oa:hasTarget/oa:hasSelector ?pos .
        ?pos oa:start ?start ; oa:end ?end }"""
    )
    assert len(rows) > 100
    inside = [r["a"] for r in rows
              if any(s <= int(r["start"]) and int(r["end"]) <= e for s, e in actor_names)]
    assert inside == []


def test_a_name_inside_a_longer_name_is_not_mentioned_on_its_own(sparql):
    """Line 5: "the 2016 United Nations Forum on Business and Human Rights" mentions the
    Forum, not the United Nations as such."""
    rows = sparql(
        "SELECT ?p ?m WHERE { ?p schema:mentions ?m }",
        p="https://w3id.org/napgraph/id/jp/nap-process/baseline-2018",
    )
    mentioned = {r["m"].rsplit("/", 1)[-1] for r in rows}
    assert "un-forum-bhr" in mentioned and "un" not in mentioned


def test_the_introduction_is_one_text_in_order(sparql):
    """Lines 5 and 7, in the record's order: one description, paragraphs apart."""
    rows = sparql(
        "SELECT ?p ?text WHERE { ?p dcterms:description ?text }",
        p="https://w3id.org/napgraph/id/jp/nap-process/baseline-2018",
    )
    assert len(rows) == 1
    first, second = rows[0]["text"].split("\n\n")
    assert first.startswith("As part of our commitment to the implementation of the Guiding")
    assert second and second in (data_dir() / "source" / "jp-nap-2018-consultations.txt"
                                 ).read_text(encoding="utf-8").splitlines()[6]
