"""Hostile requests as data: the case model, the loader of tests/data/hostile/*.toml, a sender
that writes requests byte by byte, and the checks every answer must pass.

Requests are written on a socket by hand rather than with `requests`, which would normalize
paths (`/a/../b`), refuse odd headers and re-encode bodies: the point is to send exactly
what an attacker would.
"""

from __future__ import annotations

import http.client
import re
import socket
import tomllib
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode

TESTS = Path(__file__).parent
HOSTILE = TESTS / "data" / "hostile"
REPO = TESTS.parent
QUERIES = REPO / "queries"
MARKER = re.compile(r"@@([A-Z0-9_]+)@@")
# Schemes a page may link to; anything else (javascript:, data:, vbscript:) could run.
SAFE_LINK = re.compile(r"^(?:https?:|mailto:|/|#|\?|\.|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    """One hostile request and the answers that are right for it."""

    id: str
    family: str = "sparql"
    method: str = "GET"
    path: str = "/sparql"
    params: tuple[tuple[str, str], ...] = ()
    query_string: str | None = None
    form: tuple[tuple[str, str], ...] | None = None
    body: str | None = None
    encoding: str = "utf-8"
    chunked: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    raw: str | None = None
    big: tuple[str, int] | None = None
    status: tuple[int, ...] = (400,)
    says: str | None = None
    calls_allowed: bool = False

    def render(self, markers: dict[str, str]) -> Case:
        """The case with every @@MARKER@@ replaced (BIG from the case's own `big`)."""
        values = dict(markers)
        if self.big is not None:
            values["BIG"] = self.big[0] * self.big[1]

        def fill(text: str | None) -> str | None:
            return None if text is None else MARKER.sub(lambda m: values[m.group(1)], text)

        def fill_pairs(pairs):
            return None if pairs is None else tuple((fill(k), fill(v)) for k, v in pairs)

        return replace(self, path=fill(self.path), params=fill_pairs(self.params),
                       query_string=fill(self.query_string), form=fill_pairs(self.form),
                       body=fill(self.body), headers=fill_pairs(self.headers), raw=fill(self.raw))


def _pairs(table: dict | None) -> tuple[tuple[str, str], ...] | None:
    if table is None:
        return None
    return tuple((key, item) for key, value in table.items()
                 for item in (value if isinstance(value, list) else [value]))


def _case(table: dict, **overrides) -> Case:
    fields = {**table, **overrides}
    for name in ("params", "headers"):
        fields[name] = _pairs(fields.get(name)) or ()
    fields["form"] = _pairs(fields.get("form"))
    fields["status"] = tuple(fields.get("status", (400,)))
    if "big" in fields:
        fields["big"] = (fields["big"]["text"], fields["big"]["times"])
    known = Case.__dataclass_fields__
    return Case(**{key: value for key, value in fields.items() if key in known})


def _substitute(table: dict, marker: str, value: str) -> dict:
    """A deep copy of a route table with @@marker@@ replaced by `value` in every string."""
    def walk(node):
        if isinstance(node, str):
            return node.replace(f"@@{marker}@@", value)
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            return {key: walk(item) for key, item in node.items()}
        return node
    return walk(table)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def load_cases() -> list[Case]:
    """Every hostile case: the explicit ones, the invalid queries, the generated families."""
    requests = tomllib.loads((HOSTILE / "requests.toml").read_text(encoding="utf-8"))
    cases = [_case(table) for table in requests["case"]]
    invalid = tomllib.loads((HOSTILE / "invalid-queries.toml").read_text(encoding="utf-8"))
    cases += [_case({"params": {"query": query}, "status": [400], "says": "error at"},
                    id=f"invalid-{name}") for name, query in invalid["queries"].items()]
    cases += [_case({"params": {"query": query}, "status": [200, 400]}, id=f"lenient-{name}")
              for name, query in invalid.get("lenient", {}).items()]
    families = tomllib.loads((HOSTILE / "families.toml").read_text(encoding="utf-8"))
    cases += _crossed(families["updates"], "operations", "OP", "update")
    cases += _crossed(families["ssrf"], "targets", "T", "ssrf")
    cases += _crossed(families["traversal"], "paths", "P", "traversal")
    cases += _methods(families["methods"])
    iris = families["iris"]
    cases += [_case({"path": f"/id/{path}", "family": "id", "status": iris["status"],
                     "headers": iris["headers"]}, id=f"iri-{index:02d}-{_slug(path)}")
              for index, path in enumerate(iris["paths"])]
    cases += truncated_queries()
    ids = [case.id for case in cases]
    duplicates = {name for name in ids if ids.count(name) > 1}
    assert not duplicates, f"duplicate case ids: {sorted(duplicates)}"
    return cases


def _crossed(family: dict, inputs: str, marker: str, prefix: str) -> list[Case]:
    cases = []
    for index, value in enumerate(family[inputs]):
        for route in family["route"]:
            table = _substitute(route, marker, value)
            if marker == "T":
                table = _substitute(table, "T_ESC", value.replace(":", "\\u003A", 1))
            table.setdefault("headers", {}).update(family.get("headers", {}))
            cases.append(_case(table, id=f"{prefix}-{index:02d}-{route['name']}-{_slug(value)}"))
    return cases


def _methods(family: dict) -> list[Case]:
    cases = []
    for route in family["routes"]:
        path, _, query_string = route["path"].partition("?")
        for method in (*family["methods"], *family["allowed"]):
            status = family["status"].get(method, family["allowed_status"])
            cases.append(_case({"path": path, "query_string": query_string or None,
                                "family": route["family"], "method": method,
                                "status": status}, id=f"method-{route['name']}-{method}"))
    return cases


def truncated_queries() -> list[Case]:
    """Each canned query cut short at a third, two thirds and one character before its end.

    A cut query may still be a valid one (`ORDER BY ?nam` for `?name`), or call a SERVICE
    that is refused: a 400, a 403 or a 200 with well-formed results are all right.
    """
    cases = []
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8").rstrip()
        for name, end in (("third", len(text) // 3), ("two-thirds", 2 * len(text) // 3),
                          ("last-char", len(text) - 1)):
            cases.append(Case(id=f"truncated-{path.stem}-{name}", method="POST",
                              body=text[:end], status=(200, 400, 403),
                              headers=(("Content-Type", "application/sparql-query"),)))
    return cases


# --- sending -----------------------------------------------------------------------------

@dataclass
class Reply:
    """An HTTP answer as received."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.text = self.body.decode("utf-8", "replace")

    @property
    def media_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


def request_bytes(case: Case, host: str) -> bytes:
    """The request a case sends, byte for byte."""
    if case.raw is not None:
        return case.raw.encode("latin-1")
    target = case.path
    if case.query_string is not None:
        target += "?" + case.query_string
    elif case.params:
        target += "?" + urlencode(case.params, quote_via=quote)
    body = None
    if case.form is not None:
        body = urlencode(case.form, quote_via=quote).encode("ascii")
    elif case.body is not None:
        body = case.body.encode(case.encoding)
    headers = {"Host": host, "Connection": "close", "User-Agent": "napgraph-hostile-tests"}
    if case.form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers.update(dict(case.headers))
    if body is not None:
        if case.chunked:
            headers["Transfer-Encoding"] = "chunked"
            body = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 65536]), body[i:i + 65536])
                            for i in range(0, len(body), 65536)) + b"0\r\n\r\n"
        else:
            headers["Content-Length"] = str(len(body))
    head = f"{case.method} {target} HTTP/1.1\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    return head.encode("utf-8" if any(ord(c) > 255 for c in head) else "latin-1") + (body or b"")


def send(port: int, case: Case, timeout: float = 30) -> Reply:
    """Send a rendered case to 127.0.0.1:port and read the whole answer."""
    data = request_bytes(case, f"127.0.0.1:{port}")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (413, 400) before reading everything: read that
        method = "HEAD" if data.startswith(b"HEAD ") else "GET"
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        return Reply(response.status, response.headers, response.read())


# --- what every answer must be -----------------------------------------------------------

class PageAudit(HTMLParser):
    """Collects what in an HTML page could run: script elements, handlers, risky links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: tuple[dict[str, str | None], list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>: an event handler attribute")
            if name in ("href", "src", "action", "formaction", "data", "srcdoc") and value \
                    and not SAFE_LINK.match(value.strip()):
                self.problems.append(f"<{tag} {name}={value[:60]!r}>: a link that could run")
        if tag in ("iframe", "object", "embed", "svg", "img", "base", "meta") and any(
                "alert(" in (value or "") for _, value in attrs):
            self.problems.append(f"<{tag}> built from data")
        if tag == "script":
            self._script = (attributes, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            attributes, parts = self._script
            self.scripts.append((attributes, "".join(parts)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script[1].append(data)


def audit_html(text: str) -> PageAudit:
    """Parse a page and note every script element, handler attribute and risky link."""
    audit = PageAudit()
    audit.feed(text)
    audit.close()
    for attributes, content in audit.scripts:
        kind = (attributes.get("type") or "").lower()
        # JSON data blocks (ld+json, chart data) are not run; tojson keeps them closed.
        if attributes.get("src") is None and kind not in ("application/ld+json",
                                                          "application/json"):
            audit.problems.append(f"an inline script: {content[:80]!r}")
        if "alert(" in content and kind not in ("application/ld+json", "application/json"):
            audit.problems.append(f"a script element holding data: {content[:80]!r}")
    return audit


def leaks(reply: Reply, secrets: list[str]) -> list[str]:
    """What a body must never hold: a traceback, a path into the repository, a secret."""
    found = []
    if "Traceback (most recent call last)" in reply.text or 'File "/' in reply.text:
        found.append("a stack trace")
    if str(REPO) in reply.text:
        found.append(f"the repository path {REPO}")
    found += [f"the secret {secret[:20]}…" for secret in secrets if secret in reply.text]
    if re.search(r"^root:.*:0:0:", reply.text, re.MULTILINE):
        found.append("/etc/passwd")
    return found
