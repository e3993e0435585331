"""server/http/uri_to_iri.py: which escapes of a request path are decoded (RFC 3987 §3.2)."""

import pytest

from napgraph.server.http.uri_to_iri import iri_path, normal_path, raw_request_path


@pytest.mark.parametrize(
    ("path", "iri"),
    [
        ("/id/jp/org/mofa", "/id/jp/org/mofa"),
        ("/id/x/%E6%9D%B1%E4%BA%AC", "/id/x/東京"),  # UTF-8 of printable characters
        ("/id/x/%e6%9d%b1", "/id/x/東"),  # lower-case hex too
        ("/id/x/%7Ea%2Db", "/id/x/~a-b"),  # unreserved ASCII
        ("/id/x/a%20b", "/id/x/a%20b"),  # space: kept
        ("/id/x/a%2Fb", "/id/x/a%2Fb"),  # an escaped slash is not a slash
        ("/id/x/%3Cscript%3E", "/id/x/%3Cscript%3E"),  # not IRI characters: kept
        ("/id/x/%3cscript%3e", "/id/x/%3Cscript%3E"),  # ... in upper case (RFC 3986 6.2.2.1)
        ("/id/x/%E2%80%AEabc", "/id/x/%E2%80%AEabc"),  # a bidi override (format char): kept
        ("/id/x/%C2%85", "/id/x/%C2%85"),  # a C1 control: kept
        ("/id/x/%FF%E6", "/id/x/%FF%E6"),  # not UTF-8: kept, byte by byte
        ("/id/x/%ff%e6", "/id/x/%FF%E6"),
        ("/id/x/%E6%9D", "/id/x/%E6%9D"),  # a sequence cut short: kept
        ("/id/x/%80%E6%9D%B1", "/id/x/%80東"),  # a stray continuation byte, then a character
        ("/id/x/%F0%9F%98%80", "/id/x/😀"),  # four octets
        ("/id/x/%2", "/id/x/%2"),  # not an escape
    ],
)
def test_iri_path(path, iri):
    assert iri_path(path) == iri


@pytest.mark.parametrize(
    ("path", "normal"),
    [
        ("/id/x/%6Dofa", "/id/x/mofa"),
        ("/id/x/%e6%9d%b1%2f", "/id/x/%E6%9D%B1%2F"),  # escapes of UTF-8 stay, upper case
        ("/id/x/a%20b%7e", "/id/x/a%20b~"),
    ],
)
def test_normal_path(path, normal):
    assert normal_path(path) == normal


@pytest.mark.parametrize("spelling", ["/id/jp/org/mofa", "/id/jp/org/%6Dofa", "/id/jp/org/%6dofa",
                                      "/id/jp/org/m%6Ffa"])
def test_every_spelling_of_a_path_is_one_cache_key(spelling):
    assert (iri_path(spelling), normal_path(spelling)) == ("/id/jp/org/mofa", "/id/jp/org/mofa")


@pytest.mark.parametrize(
    ("environ", "path"),
    [
        ({"RAW_URI": "/id/a%2Fb?format=ttl"}, "/id/a%2Fb"),
        ({"REQUEST_URI": "/id/a%20b#x"}, "/id/a%20b"),
        ({"RAW_URI": "http://example.org/id/a%3Cb?x=1"}, "/id/a%3Cb"),  # absolute-form
        ({}, None),
    ],
)
def test_raw_request_path(environ, path):
    assert raw_request_path(environ) == path
