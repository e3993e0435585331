"""The server's settings, declared once as data: name, default, type and help text.

`resolve` merges, in order, the defaults, a mapping given by the caller (tests, `napgraph
serve`) and `NAPGRAPH_*` environment variables, then checks every value. docs/settings.md
documents each setting; tests/test_sparql_settings_docs.py keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask.config import Config

from napgraph.graph.iris import DEFAULT_BASE

ENV_PREFIX = "NAPGRAPH"
MIB = 1024 * 1024


class SettingError(ValueError):
    """A setting has a value of the wrong type or out of range."""


@dataclass(frozen=True)
class Setting:
    """One declared setting."""

    name: str
    default: Any
    kind: str  # "int", "float", "str", "list", "origins"
    help: str
    minimum: float | None = None
    choices: tuple[str, ...] = ()  # the only values allowed, when not empty


SETTINGS: tuple[Setting, ...] = (
    Setting("DATA_FILES", [], "list",
            "RDF files to serve (N-Quads .nq, TriG .trig, Turtle .ttl, N-Triples .nt, chosen "
            "by extension), bulk-loaded at start-up into a private on-disk store that the "
            "query runners share and that is removed at exit; triples of .ttl/.nt files go to "
            "the default graph. When set, BUILD_DIR is not read."),
    Setting("BUILD_DIR", "build", "str",
            "Build folder: the server serves its current release and every import, from the "
            "on-disk store BUILD_DIR/stores/<version> that `napgraph build`, `import` and "
            "`remove` write (made once at start-up if missing), and follows new releases."),
    Setting("QUERY_TIMEOUT", 10.0, "float",
            "Seconds a query may run. A query still running then is stopped and answered with "
            "503 and a message naming the limit. Waiting for a free query runner is limited "
            "to the same time.", minimum=0.1),
    Setting("QUERY_PREEMPT_AFTER", 1.0, "float",
            "Seconds after which a running query may be stopped (503) when another query has "
            "waited that long for a runner: the longest-running one goes, if it has run as "
            "long as the waiting query took the last time it ran, and is not the same "
            "request. 0: never.",
            minimum=0),
    Setting("MAX_RESULT_ROWS", 10000, "int",
            "Most solutions (SELECT) or triples (CONSTRUCT/DESCRIBE) in one response; longer "
            "results are cut and the response carries `X-SPARQL-MaxRows: <limit>`. 0: no limit.",
            minimum=0),
    Setting("PAGE_SIZE", 50, "int",
            "Most entries a long list of a page shows at once (the home page's catalogue of "
            "countries); the rest are on further pages, linked as `?page=2`, `?page=3`, ….",
            minimum=1),
    Setting("MAX_REQUEST_BYTES", 1 * MIB, "int",
            "Largest request body (POSTed query or form) in bytes; larger requests get 413.",
            minimum=1),
    Setting("BODY_TIMEOUT", 30.0, "float",
            "Seconds a client has to send a request body once its headers arrived; past it "
            "the answer is 408.", minimum=0.001),
    Setting("MAX_QUERY_STRING_BYTES", 8190, "int",
            "Longest URL query string (GET query) in bytes; longer ones get 414. Send long "
            "queries with POST. The front also refuses request targets over 8190 bytes.", minimum=1),
    Setting("HEADER_TIMEOUT", 10.0, "float",
            "Seconds a client has to send a request's line and headers, and the longest a "
            "kept-alive connection may sit idle; past it the connection is closed.",
            minimum=0.001),
    Setting("MAX_QUERY_NESTING", 1000, "int",
            "Deepest nesting a query may have, counting brackets and runs of prefix operators "
            "such as `!!x`; deeper queries get 400. 0: no limit.", minimum=0),
    Setting("MAX_REQUESTS_PER_CLIENT", 8, "int",
            "Requests one client address may have in progress in one web worker (reading "
            "the body or being answered); more are answered 429 at once.", minimum=1),
    Setting("SERVICE_ALLOWLIST", [], "list",
            "Endpoint IRIs that SPARQL `SERVICE` may call, compared exactly after resolving "
            "prefixes and BASE. Any other SERVICE, or one whose endpoint is a variable, gets "
            "403. Empty: no federation."),
    Setting("CACHE_ENTRIES", 512, "int",
            "Responses kept in each worker's in-memory LRU cache; 0 turns the cache off.",
            minimum=0),
    Setting("CACHE_MAX_BYTES", 64 * MIB, "int",
            "Total size of the bodies in each worker's response cache; least recently used "
            "entries are dropped past it.", minimum=0),
    Setting("CORS_ORIGINS", "*", "origins",
            "Origins allowed to read responses from browsers: \"*\" for any, a list of origins, "
            "or \"\" to send no CORS headers."),
    Setting("QUERY_RUNNERS", 2, "int",
            "Query runner processes per web worker, so this many queries of one worker run "
            "at once. They share one on-disk copy of the data, opened read-only.", minimum=1),
    Setting("RUNNER_MEMORY_MB", 2048, "int",
            "Address-space limit of each query runner in MiB; a query that needs more stops "
            "its runner and is answered with 503. 0: no limit.", minimum=0),
    Setting("WORKER_THREADS", 4, "int",
            "Threads per web worker that run the app (`napgraph serve`); keep it above "
            "QUERY_RUNNERS so cached answers and pages are served while every runner is busy. "
            "Connections are read without a thread: slow clients do not use these.",
            minimum=1),
    Setting("BASE_IRI", "", "str",
            "Base IRI for relative IRIs in queries. Empty: the endpoint URL of the request."),
    Setting("DATA_BASE_IRI", DEFAULT_BASE, "str",
            "Base of the dataset's own IRIs when the data does not give it: a page's IRI is "
            "this base followed by the request path. A build's manifest.json names its base "
            "and wins; this is for DATA_FILES and for builds without one."),
    Setting("SERVICE_DESCRIPTION_TEMPLATE", "", "str",
            "Turtle file with the static part of the SPARQL service description. Empty: the "
            "bundled server/templates/service-description.ttl."),
    Setting("STORE_URL", "", "str",
            "SPARQL 1.1 query endpoint of a remote store to serve instead of the embedded one "
            "(Oxigraph: http://HOST:7878/query). Empty: the embedded store. `napgraph serve "
            "--store URL` sets it."),
    Setting("STORE_UNION", "store", "str",
            "How the default graph of a remote store becomes the union of its named graphs: "
            "\"store\" (the store is configured so, e.g. `oxigraph serve --union-default-graph`; "
            "checked whenever the graphs are read) or \"protocol\" (each query names every "
            "graph in default-graph-uri and named-graph-uri).", choices=("store", "protocol")),
    Setting("STORE_GRAPHS", [], "list",
            "IRI prefixes of the named graphs served from a remote store; every other graph "
            "of the store (Virtuoso's virtrdf#, DAV/...) is left out of the listing, the "
            "service description and every query's dataset. Empty: the dataset base's "
            "graph/ (DATA_BASE_IRI + \"graph/\"); \"*\": every graph of the store."),
    Setting("STORE_REFRESH", 60.0, "float",
            "Seconds between two readings of a remote store's named graphs and their sizes, "
            "from which the dataset version (and so every ETag) is derived. 0: read them only "
            "at start-up.", minimum=0),
    Setting("STORE_CONNECT_TIMEOUT", 3.0, "float",
            "Seconds to wait for a connection to a remote store. The whole query, its answer "
            "included, is limited by QUERY_TIMEOUT.", minimum=0.1),
    Setting("ACCESS_LOG", "-", "str",
            "Where the access log goes, one JSON object per request: \"-\" for standard error, "
            "a file path to append to, or \"\" for no access log."),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def defaults() -> dict[str, Any]:
    """Return a fresh dict of every setting's default value."""
    return {s.name: (list(s.default) if isinstance(s.default, list) else s.default)
            for s in SETTINGS}


def load_into(target: Config, config: Mapping[str, Any] | None = None) -> None:
    """Fill a Flask `Config` with defaults, then `config`, then `NAPGRAPH_*` variables.

    Every declared setting is checked and coerced in place; other keys (Flask's own) pass
    through. Raises SettingError naming the setting when a value has the wrong type or range.
    """
    target.from_mapping(defaults())
    if config:
        target.from_mapping(config)
    target.from_prefixed_env(ENV_PREFIX)
    for setting in SETTINGS:
        target[setting.name] = check(setting.name, target[setting.name])


def resolve(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the checked settings as `create_app` would see them, without building an app.

    Raises SettingError like `load_into`.

    >>> resolve({"QUERY_TIMEOUT": "2.5"})["QUERY_TIMEOUT"]
    2.5
    """
    merged = Config(os.getcwd())
    load_into(merged, config)
    return {setting.name: merged[setting.name] for setting in SETTINGS}


def check(name: str, value: Any) -> Any:
    """Coerce one setting value to its declared type; raise SettingError if it cannot be."""
    setting = _BY_NAME[name]
    try:
        coerced = _COERCE[setting.kind](value)
    except (TypeError, ValueError) as error:
        raise SettingError(f"setting {name}: {value!r} is not a valid {setting.kind} "
                           f"({error})") from None
    if setting.minimum is not None and coerced < setting.minimum:
        raise SettingError(f"setting {name}: {coerced!r} is below the minimum "
                           f"{setting.minimum!r}")
    if setting.choices and coerced not in setting.choices:
        raise SettingError(f"setting {name}: {coerced!r} is not one of "
                           f"{', '.join(map(repr, setting.choices))}")
    return coerced


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str | os.PathLike):
        return [os.fspath(value)]
    if isinstance(value, list | tuple):
        return [os.fspath(item) for item in value]
    raise TypeError("expected a list of strings")


def _as_origins(value: Any) -> str | list[str]:
    if value in ("*", "", None):
        return value or ""
    if isinstance(value, str):
        return value.split()
    return _as_list(value)


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise TypeError("expected an integer")
    return int(value)


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("expected a number")
    return float(value)


def _as_str(value: Any) -> str:
    if isinstance(value, str | os.PathLike):
        return os.fspath(value)
    raise TypeError("expected a string")


_COERCE = {"int": _as_int, "float": _as_float, "str": _as_str, "list": _as_list,
           "origins": _as_origins}
