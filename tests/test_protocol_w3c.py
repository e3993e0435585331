"""The W3C SPARQL 1.1 Protocol test suite, run from its manifest against a live server.

One test per manifest entry. The endpoint is read-only, so every request that carries an
update is asserted to be refused (403 with a message), and a query that follows a refused
update in the same entry is asserted to see the data unchanged (its ASK answers false).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
import rdflib
import requests
from rdflib.collection import Collection

from tests.server_fixtures import PROTOCOL_MANIFEST

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"application/rdf+xml": "xml", "text/turtle": "turtle",
             "application/n-triples": "nt"}


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    expected_status: set[str] = field(default_factory=set)  # e.g. {"2xx", "3xx"}
    expected_format: str | None = None
    expected_boolean: bool | None = None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "")
        if content_type.startswith("application/sparql-update"):
            return True
        params = parse_qs(urlsplit(self.path).query)
        if content_type.startswith("application/x-www-form-urlencoded") and self.body:
            params.update(parse_qs(self.body.decode("utf-8")))
        return "update" in params


def read_manifest() -> list[tuple[str, list[HttpRequest]]]:
    graph = rdflib.Graph().parse(PROTOCOL_MANIFEST, format="turtle")
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    cases = []
    for entry in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        requests_ = []
        for node in Collection(graph, graph.value(action, HT.requests)):
            request = HttpRequest(str(graph.value(node, HT.methodName)),
                                  str(graph.value(node, HT.absolutePath)))
            headers = graph.value(node, HT.headers)
            for header in (Collection(graph, headers) if headers is not None else ()):
                request.headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                    graph.value(header, HT.fieldValue))
            body = graph.value(node, HT.body)
            if body is not None:
                encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
                request.body = str(graph.value(body, CNT.chars)).encode(encoding)
            response = graph.value(node, HT.resp)
            request.expected_status = {str(s).rsplit("StatusCode", 1)[-1]
                                       for s in graph.objects(response, MF.expectedStatus)}
            expected_format = graph.value(response, MF.expectedFormat)
            request.expected_format = str(expected_format) if expected_format else None
            expected_boolean = graph.value(response, MF.expectedBoolean)
            request.expected_boolean = (expected_boolean.toPython()
                                        if expected_boolean is not None else None)
            requests_.append(request)
        cases.append((str(entry).rsplit("#", 1)[-1], requests_))
    return cases


CASES = read_manifest()


def send(server, request: HttpRequest) -> requests.Response:
    # Every absolutePath starts with /sparql/; the manifest says to map it to our endpoint.
    assert request.path.startswith("/sparql/")
    url = server.endpoint + request.path[len("/sparql/"):]
    return requests.request(request.method, url, headers=request.headers, data=request.body,
                            allow_redirects=False, timeout=30)


def status_class(code: int) -> str:
    return f"{code // 100}xx"


def parsed_boolean(response: requests.Response) -> bool:
    media_type = response.headers["Content-Type"].split(";")[0]
    assert media_type in BOOLEAN_TYPES
    if media_type.endswith("+json"):
        return response.json()["boolean"]
    element = ET.fromstring(response.content).find(f"{RESULTS_NS}boolean")
    assert element is not None
    return element.text.strip() == "true"


def check_format(response: requests.Response, expected: str) -> None:
    media_type = response.headers["Content-Type"].split(";")[0]
    if expected == "boolean":
        parsed_boolean(response)
    elif expected == "tabular":
        assert media_type in TABULAR_TYPES
        if media_type.endswith("+json"):
            assert "vars" in response.json()["head"]
        elif media_type.endswith("+xml"):
            assert ET.fromstring(response.content).find(f"{RESULTS_NS}head") is not None
        else:
            assert response.text.splitlines()[0]
    elif expected == "RDF":
        assert media_type in RDF_TYPES
        rdflib.Graph().parse(data=response.content, format=RDF_TYPES[media_type])
    else:
        pytest.fail(f"unknown mf:expectedFormat {expected!r}")


def test_manifest_lists_the_whole_suite():
    assert len(CASES) == 34
    # 14 entries are about updates. Two of them send no update a server can recognise (a
    # text/plain body, a form body without its Content-Type): they get the 415 the suite
    # expects as a 4xx. The other 12 must be refused as updates.
    assert sum(1 for _, reqs in CASES if any(r.is_update for r in reqs)) == 12


def check_entry(server, requests_) -> None:
    """Send one manifest entry's requests to `server` and check each response: reads as the
    manifest expects, updates refused as read-only and without effect."""
    update_refused = False
    for request in requests_:
        response = send(server, request)
        if request.is_update:
            assert response.status_code == 403, response.text
            assert "read-only" in response.text
            update_refused = True
            continue
        if update_refused:
            # The suite checks the update's effect; here it must have had none.
            assert response.status_code == 200, response.text
            assert parsed_boolean(response) is False
            continue
        assert status_class(response.status_code) in request.expected_status, response.text
        if response.status_code >= 400:
            assert response.text.strip(), "an error needs a message"
            assert "Traceback" not in response.text
        if request.expected_format:
            check_format(response, request.expected_format)
        if request.expected_boolean is not None:
            assert parsed_boolean(response) is request.expected_boolean


@pytest.mark.parametrize("requests_", [reqs for _, reqs in CASES],
                         ids=[name for name, _ in CASES])
def test_protocol(protocol_server, requests_):
    check_entry(protocol_server, requests_)
