"""The IRI path a request names, read from the path exactly as the client sent it.

Flask hands views the percent-decoded path, so an IRI that itself holds an escape
(`…/org/%3Cscript%3E`, `…/a%20b`, `…/a%2Fb`) could never be reached at its own URL. This
module maps the raw request path to an IRI path the way RFC 3987 §3.2 maps a URI to an IRI:
an escape is decoded only when it stands for an unreserved ASCII character (`%7E` is `~`)
or for a printable non-ASCII character written as UTF-8 (`%E6%9D%B1` is `東`); every
other escape stays, in upper case (RFC 3986 §6.2.2.1), so `%3C` and `%2F` name the IRI that
holds them. `normal_path` is the path as sent with only that normalisation, for IRIs that
hold escaped UTF-8 themselves. Both are canonical: every spelling of a path gives the same
string, so they can key a cache.

>>> iri_path("/id/jp/org/%3cscript%3E")
'/id/jp/org/%3Cscript%3E'
>>> iri_path("/id/jp/place/%E6%9D%B1%E4%BA%AC%7Eb")
'/id/jp/place/東京~b'
>>> iri_path("/id/x/%FF%E6")
'/id/x/%FF%E6'
>>> normal_path("/id/x/%6Dofa%e6%9d%b1")
'/id/x/mofa%E6%9D%B1'
"""

from __future__ import annotations

import re
import string
import unicodedata
from urllib.parse import urlsplit

ESCAPES = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")


def raw_request_path(environ: dict) -> str | None:
    """The path of the request line as sent (gunicorn and Werkzeug keep it), or None."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        return None
    if not raw.startswith("/"):  # absolute-form: "http://host/path?query"
        raw = urlsplit(raw).path or "/"
    return raw.split("?", 1)[0].split("#", 1)[0]


def iri_path(path: str) -> str:
    """Decode the escapes of `path` that RFC 3987 decodes; the others in upper case."""
    return ESCAPES.sub(_decode_run, path)


def normal_path(path: str) -> str:
    """Decode the escapes of unreserved characters; the others in upper case."""
    return ESCAPES.sub(_normal_run, path)


def _normal_run(match: re.Match[str]) -> str:
    escapes = match.group().upper()
    return "".join(_unreserved_or_escape(escapes[i : i + 3]) for i in range(0, len(escapes), 3))


def _unreserved_or_escape(escape: str) -> str:
    char = chr(int(escape[1:], 16))
    return char if char in UNRESERVED else escape


def _decode_run(match: re.Match[str]) -> str:
    escapes = match.group().upper()
    octets = bytes.fromhex(escapes.replace("%", ""))
    out, index = [], 0
    while index < len(octets):
        octet = octets[index]
        if octet < 0x80:
            out.append(_unreserved_or_escape(escapes[3 * index : 3 * index + 3]))
            index += 1
            continue
        char, width = _utf8_char(octets, index)
        if char is None:
            out.append(escapes[3 * index : 3 * index + 3])
            index += 1
        else:
            out.append(char)
            index += width
    return "".join(out)


def _utf8_char(octets: bytes, index: int) -> tuple[str | None, int]:
    """The printable character encoded at `index`, with its width, or (None, 1)."""
    lead = octets[index]
    width = 2 if 0xC0 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF8 else 0
    if not width:
        return None, 1
    try:
        char = octets[index : index + width].decode("utf-8")
    except UnicodeDecodeError:
        return None, 1
    # Controls, format characters (bidi marks), surrogates and unassigned code points stay
    # escaped: RFC 3987 keeps them out of IRIs.
    if unicodedata.category(char)[0] == "C":
        return None, 1
    return char, width
