"""Federation: a SERVICE call from one napgraph to another, allowed only through the
SERVICE allow-list. Real processes on loopback: B serves the synthetic country xx alone; A
serves Japan, embedded or from an Oxigraph store, with B's endpoint on its allow-list (or not).
The canned query queries/federated-shared-principles.rq joins A's countries with B's."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import requests

from tests.store_fixtures import XX_FIXTURE, push_build

SLUG = "federated-shared-principles"
UNGP = "https://w3id.org/napgraph/id/ungp/principle/"
JP = "https://w3id.org/napgraph/id/country/jp"
XX = "https://w3id.org/napgraph/id/country/xx"
# xx's consultations per principle, by hand from tests/data/countries/xx.ttl and the topic
# alignments of ontology/schemes/topics.ttl (as in cross-country-expected.json). Japan
# addresses every one of them, so all twenty are shared.
XX_PRINCIPLES = {3: 2, 5: 1, 6: 1, 8: 1, 13: 1, 14: 1, 15: 2, 16: 1, 17: 2, 18: 2, 19: 2, 20: 2,
                 21: 2, 22: 1, 25: 1, 27: 1, 28: 1, 29: 1, 30: 1, 31: 1}
ADHOC = """PREFIX nap: <https://w3id.org/napgraph/ontology#>
SELECT ?consultation ?peerConsultation WHERE {
  SERVICE <%s> { ?peerConsultation a nap:Consultation }
  ?consultation a nap:Consultation
}"""


@pytest.fixture(scope="module")
def peer(start_server):
    """B: the synthetic country only, in its graph, as an import would place it."""
    graph = ox.NamedNode("https://w3id.org/napgraph/graph/xx")
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph)
             for q in ox.parse(path=str(XX_FIXTURE), format=ox.RdfFormat.TURTLE)]
    return start_server(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))


@pytest.fixture(scope="module")
def japan(build):
    return (build.release / "napgraph.nq").read_bytes()


@pytest.fixture(scope="module")
def allowing(start_server, japan, peer):
    return start_server(japan, SERVICE_ALLOWLIST=[peer.endpoint])


@pytest.fixture(scope="module")
def refusing(start_server, japan):
    return start_server(japan)


@pytest.fixture(scope="module")
def allowing_remote(build, start_oxigraph, start_remote, peer):
    """A served from an Oxigraph store: there the store itself makes the SERVICE call."""
    store = start_oxigraph()
    push_build(build.release.parents[1], store)
    return start_remote(store.query_url, SERVICE_ALLOWLIST=[peer.endpoint])


def canned(server, peer_endpoint: str) -> requests.Response:
    return requests.get(f"{server.root}/queries/{SLUG}",
                        params={"peer": peer_endpoint, "format": "json"}, timeout=30)


def rows(response: requests.Response) -> list[dict[str, str]]:
    return [{name: cell["value"] for name, cell in row.items()}
            for row in response.json()["results"]["bindings"]]


@pytest.mark.parametrize("server", ["allowing", "allowing_remote"])
def test_canned_query_joins_two_instances(request, peer, server):
    response = canned(request.getfixturevalue(server), peer.endpoint)
    assert response.status_code == 200, response.text
    found = rows(response)
    assert {(row["country"], row["peerCountry"]) for row in found} == {(JP, XX)}
    assert {row["peer"] for row in found} == {peer.endpoint}
    assert [(int(row["principleNotation"]), int(row["peerConsultations"])) for row in found] == \
        sorted(XX_PRINCIPLES.items())
    assert all(row["principle"] == UNGP + row["principleNotation"] for row in found)
    assert all(int(row["consultations"]) >= 1 for row in found)


def test_the_join_uses_this_endpoints_counts(allowing, peer):
    """Japan's side of the join is what country-principles says about Japan here."""
    local = requests.get(f"{allowing.root}/queries/country-principles",
                         params={"format": "json"}, timeout=30)
    japan = {row["principle"]: row["consultations"] for row in rows(local)
             if row["country"] == JP}
    joined = {row["principle"]: row["consultations"] for row in rows(canned(allowing,
                                                                           peer.endpoint))}
    assert joined == {principle: japan[principle] for principle in joined}


@pytest.mark.parametrize("server", ["allowing", "allowing_remote"])
def test_adhoc_federated_query(request, peer, server):
    response = requests.post(request.getfixturevalue(server).endpoint,
                             data={"query": ADHOC % peer.endpoint},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == 10 * 3  # Japan's 10 × xx's 3


def test_without_the_allowlist_entry_the_canned_query_is_refused(refusing, peer):
    response = canned(refusing, peer.endpoint)
    assert response.status_code == 403
    assert f"SERVICE <{peer.endpoint}>" in response.text
    assert "not allowed" in response.text


def test_without_the_allowlist_entry_the_adhoc_query_is_refused(refusing, peer):
    response = requests.post(refusing.endpoint, data={"query": ADHOC % peer.endpoint},
                             timeout=30)
    assert response.status_code == 403
    assert "not allowed" in response.text


@pytest.mark.parametrize("server", ["allowing", "allowing_remote"])
def test_a_peer_off_the_allowlist_is_refused(request, server):
    response = canned(request.getfixturevalue(server), "http://127.0.0.1:9/sparql")
    assert response.status_code == 403
    assert "SERVICE <http://127.0.0.1:9/sparql>" in response.text


def test_the_service_description_announces_federation(allowing, refusing):
    feature = "sd:BasicFederatedQuery"
    description = requests.get(allowing.endpoint, headers={"Accept": "text/turtle"}, timeout=10)
    assert feature in description.text
    assert feature not in requests.get(refusing.endpoint, headers={"Accept": "text/turtle"},
                                       timeout=10).text


def test_federated_answers_are_not_given_an_etag(allowing, peer):
    response = requests.get(allowing.endpoint, params={"query": ADHOC % peer.endpoint},
                            timeout=30)
    assert response.status_code == 200
    assert "ETag" not in response.headers
    assert json.loads(response.content)["results"]["bindings"]
