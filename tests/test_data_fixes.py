"""Japan's registry, as issue 13 corrected it, in the built graph."""

import pytest

ID = "https://w3id.org/napgraph/id/"
UNICEF_COMMITTEE = ID + "jp/org/japan-committee-for-unicef"
UN_FORUM = ID + "intl/org/un-forum-bhr"
GFA = ID + "intl/instrument/global-framework-agreements"


def types(sparql, iri: str) -> set[str]:
    return {row["type"] for row in sparql("SELECT ?x ?type { ?x a ?type }", x=iri)}


def test_japan_committee_for_unicef_is_a_japanese_foundation(sparql):
    kinds = {
        row["k"] for row in sparql("SELECT ?x ?k { ?x org:classification ?k }", x=UNICEF_COMMITTEE)
    }
    assert kinds == {ID + "actor-kind/civil-society"}
    assert "https://schema.org/NGO" in types(sparql, UNICEF_COMMITTEE)


def test_un_forum_is_not_a_unit_of_the_un(sparql):
    rows = sparql(
        "SELECT ?x ?p ?o { { ?x ?p ?o } UNION { ?o ?p ?x } "
        "FILTER(?p IN (org:unitOf, org:hasUnit, org:subOrganizationOf, org:hasSubOrganization)) }",
        x=UN_FORUM,
    )
    assert rows == []
    assert "http://www.w3.org/ns/org#OrganizationalUnit" not in types(sparql, UN_FORUM)


def test_global_framework_agreements_are_not_an_international_instrument(sparql):
    found = types(sparql, GFA)
    assert "https://w3id.org/napgraph/ontology#Instrument" in found
    assert "https://w3id.org/napgraph/ontology#InternationalInstrument" not in found


JAPANESE_NAMES = {
    "intl/org/aichr": "ASEAN政府間人権委員会",
    "jp/org/japan-ncp": "日本連絡窓口",
    "jp/org/iom-tokyo": "国際移住機関駐日事務所",
    "jp/org/ide-jetro-isc": "アジア経済研究所新領域研究センター",
}


@pytest.mark.parametrize(("path", "name"), JAPANESE_NAMES.items(), ids=list(JAPANESE_NAMES))
def test_actor_has_its_japanese_name(sparql, path, name):
    rows = sparql('SELECT ?x ?l { ?x skos:prefLabel ?l FILTER(lang(?l) = "ja") }', x=ID + path)
    assert rows == [{"l": name}]
