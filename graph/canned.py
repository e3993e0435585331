"""Canned queries: SPARQL files in `queries/` with their metadata in a comment header.

A canned query is one `.rq` file; its name (kebab-case, without `.rq`) is its URL slug. The
file opens with a header of comment lines, `# key: value`:

    # title: Which meetings did an actor attend, and in which role?
    # description: Every consultation the actor attended, with the date and its role there.
    # param: actor iri https://w3id.org/napgraph/id/jp/org/mofa  The actor (an IRI)
    # tags: attendance, actors

`title` and `description` are required; `param` may repeat (`NAME TYPE DEFAULT HELP`, TYPE
one of iri|string|integer|date, a DEFAULT with spaces written in double quotes); `tags` is a
comma-separated list. Parameters are bound with pyoxigraph `substitutions`, never by editing
the text, so a value can only ever be one RDF term.

Every file is checked when loaded: a malformed header, a query pyoxigraph cannot parse, or a
parameter the query cannot take raises `CannedQueryError` naming the file and the line.

    queries = load_queries()
    moj = {"actor": "https://w3id.org/napgraph/id/jp/org/moj"}
    for row in run(store, queries["actor-meetings"], moj):
        print(row["date"].value, row["roleLabel"].value)
"""

import datetime
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from napgraph.graph.paths import queries_dir
from napgraph.graph.source import LocatedError

Term = ox.NamedNode | ox.Literal
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPES = ("iri", "string", "integer", "date")
KINDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIELD = re.compile(r"^#\s*([A-Za-z][A-Za-z-]*)\s*:\s?(.*)$")
PARAM = re.compile(
    r'^(?P<name>\S+)\s+(?P<type>\S+)\s+(?P<default>"(?:[^"\\]|\\.)*"|\S+)(?:\s+(?P<help>.+))?$'
)
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INTEGER = re.compile(r"^[+-]?[0-9]+$")
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# The query form is the first keyword after the prologue (PREFIX and BASE declarations).
PROLOGUE = re.compile(
    r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*(" + "|".join(KINDS) + r")\b",
    re.IGNORECASE,
)


class CannedQueryError(LocatedError):
    """A canned query file is unusable: says which file, which line and why."""


class ParameterError(ValueError):
    """A value given for a canned query's parameter is unknown or not of the parameter's type."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"parameter {name!r}: {reason}")


@dataclass(frozen=True)
class Param:
    """One parameter of a canned query: a SPARQL variable bound by substitution."""

    name: str
    type: str
    default: str
    help: str
    line: int = 0

    def term(self, value: str) -> Term:
        """Return `value` as the RDF term of this parameter's type.

        Raises ParameterError when `value` is not a valid IRI, integer or date.
        """
        if self.type == "iri":
            try:
                return ox.NamedNode(value)
            except ValueError as error:
                reason = f"{value!r} is not an absolute IRI ({error})"
                raise ParameterError(self.name, reason) from None
        if self.type == "integer":
            if not INTEGER.match(value.strip()):
                raise ParameterError(self.name, f"{value!r} is not an integer")
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "date":
            try:
                if not DATE.match(value.strip()):
                    raise ValueError
                day = datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise ParameterError(self.name, f"{value!r} is not a date (YYYY-MM-DD)") from None
            return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
        return ox.Literal(value)


@dataclass
class CannedQuery:
    """A canned query: its slug, header metadata, parameters and SPARQL text."""

    slug: str
    title: str
    description: str
    params: list[Param]
    tags: list[str]
    text: str
    kind: str
    path: Path | None = field(default=None, compare=False)

    def param(self, name: str) -> Param:
        """Return the parameter called `name`; raises ParameterError if there is none."""
        for param in self.params:
            if param.name == name:
                return param
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParameterError(name, f"no such parameter (this query takes: {known})")


def load_queries(folder: Path | None = None) -> dict[str, CannedQuery]:
    """Read and check every `.rq` file in `folder` (default: `queries_dir()`), by slug.

    Raises CannedQueryError for the first file with a bad name, a malformed header or a
    query pyoxigraph cannot parse or bind.
    """
    folder = queries_dir() if folder is None else Path(folder)
    queries = {}
    for path in sorted(folder.glob("*.rq"), key=lambda path: path.stem):
        query = load_query(path)
        queries[query.slug] = query
    return queries


def load_query(path: Path) -> CannedQuery:
    """Read and check one canned query file.

    Raises CannedQueryError naming the file and line of a bad file name, header field,
    parameter or SPARQL syntax error.
    """
    path = Path(path)
    slug = path.stem
    if not SLUG.match(slug):
        raise CannedQueryError(path, None, f"the file name {slug!r} is not a kebab-case slug")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CannedQueryError(path, None, f"cannot read the file ({error})") from error
    header = _header(path, text)
    kind = _kind(text)
    query = CannedQuery(
        slug=slug,
        title=header["title"],
        description=header["description"],
        params=header["params"],
        tags=header["tags"],
        text=text,
        kind=kind,
        path=path,
    )
    _check(path, query)
    return query


def bind(query: CannedQuery, values: Mapping[str, str]) -> dict[ox.Variable, Term]:
    """Return the substitutions for `query`: each parameter's value or default as an RDF term.

    An empty value counts as missing. Raises ParameterError for a name the query does not
    take, or a value that is not a valid IRI, integer or date for its parameter.
    """
    for name in values:
        query.param(name)
    bound = {}
    for param in query.params:
        value = values.get(param.name)
        if value is None or value == "":
            value = param.default
        bound[ox.Variable(param.name)] = param.term(value)
    return bound


def run(
    store: ox.Store, query: CannedQuery, values: Mapping[str, str] | None = None
) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """Execute `query` on `store` over the union of its graphs, with parameters substituted.

    Raises ParameterError for a bad parameter value (see `bind`); errors of the store
    itself propagate.
    """
    substitutions = bind(query, values or {})
    return store.query(query.text, use_default_graph_as_union=True, substitutions=substitutions)


def _header(path: Path, text: str) -> dict:
    """Parse the leading comment block; raises CannedQueryError at the offending line."""
    fields: dict = {"params": [], "tags": []}
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = FIELD.match(stripped)
        if not match:
            continue  # a free comment line inside the header
        key, value = match.group(1).lower(), match.group(2).strip()
        if key not in ("title", "description", "param", "tags"):
            raise CannedQueryError(path, number, f"unknown header field {key!r}")
        if key != "param" and key in seen:
            raise CannedQueryError(path, number, f"header field {key!r} given twice")
        seen.add(key)
        if not value:
            raise CannedQueryError(path, number, f"header field {key!r} is empty")
        if key == "param":
            param = _param(path, number, value)
            if any(p.name == param.name for p in fields["params"]):
                raise CannedQueryError(path, number, f"parameter {param.name!r} declared twice")
            fields["params"].append(param)
        elif key == "tags":
            fields["tags"] = [tag.strip() for tag in value.split(",") if tag.strip()]
        else:
            fields[key] = value
    for key in ("title", "description"):
        if key not in fields:
            raise CannedQueryError(path, 1, f"the header has no {key!r} line")
    return fields


def _param(path: Path, line: int, value: str) -> Param:
    match = PARAM.match(value)
    if not match or not match.group("help"):
        raise CannedQueryError(path, line, "a parameter is written 'param: NAME TYPE DEFAULT HELP'")
    name, type_, default = match.group("name"), match.group("type"), match.group("default")
    if not NAME.match(name):
        raise CannedQueryError(path, line, f"{name!r} is not a SPARQL variable name")
    if type_ not in TYPES:
        raise CannedQueryError(
            path, line, f"parameter type {type_!r} is not one of {', '.join(TYPES)}"
        )
    if default.startswith('"'):
        default = json.loads(default)
    param = Param(name, type_, default, match.group("help").strip(), line)
    try:
        param.term(default)
    except ParameterError as error:
        raise CannedQueryError(path, line, f"bad default: {error.reason}") from None
    return param


def _kind(text: str) -> str:
    match = PROLOGUE.match(_without_comments(text))
    return match.group(1).upper() if match else ""  # "" is reported by _check


def _without_comments(text: str) -> str:
    """Return `text` without its SPARQL comments (`#` to the end of the line outside IRIs
    and strings), so keywords and variables can be looked for in the query proper."""
    out, i, n = [], 0, len(text)
    while i < n:
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if char == "<":
            # An IRI runs to '>' with no whitespace; otherwise '<' is the less-than operator.
            match = re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])
            if match:
                out.append(match.group(0))
                i += match.end()
                continue
        if char in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
            end = i + len(quote)
            while end < n and not text.startswith(quote, end):
                end += 2 if text[end] == "\\" else 1
            out.append(text[i : end + len(quote)])
            i = end + len(quote)
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _check(path: Path, query: CannedQuery) -> None:
    """Prepare the query on an empty store with its defaults bound, to find errors at load.

    pyoxigraph reports syntax errors as 'error at LINE:COLUMN: ...' counted in the text it
    was given; the whole file is given, so the line is the file's line.
    """
    body = _without_comments(query.text)
    for param in query.params:
        if not re.search(rf"[?$]{param.name}\b", body):
            raise CannedQueryError(
                path, param.line, f"parameter {param.name!r} is not used in the query"
            )
    substitutions = {ox.Variable(p.name): p.term(p.default) for p in query.params}
    try:
        ox.Store().query(query.text, use_default_graph_as_union=True, substitutions=substitutions)
    except SyntaxError as error:
        match = re.match(r"error at (\d+):(\d+): (.*)", str(error), re.DOTALL)
        if match:
            line, reason = int(match.group(1)), f"column {match.group(2)}: {match.group(3)}"
            raise CannedQueryError(path, line, reason) from None
        raise CannedQueryError(path, None, str(error)) from None
    except RuntimeError as error:
        # pyoxigraph 0.5 substitutes only variables of the SELECT projection.
        bad = re.search(r"\?(\w+)", str(error))
        line = next((p.line for p in query.params if bad and p.name == bad.group(1)), None)
        raise CannedQueryError(path, line, f"a parameter cannot be bound: {error}") from None
    if not query.kind:
        reason = "the query form is not SELECT, ASK, CONSTRUCT or DESCRIBE"
        raise CannedQueryError(path, _first_code_line(query.text), reason)


def _first_code_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return number
    return 1
