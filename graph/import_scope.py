"""What an import may hold: one country's own resources, named by IRIs, quoting its source.

`Survey` looks at every quad of an import as it streams past (graph/imports.py) and keeps
what it needs to judge the whole afterwards, so that a refused import writes nothing:

- **the country the data describes**: the countries named by `dcterms:spatial` values
  `{BASE}id/country/{xx}` and by subjects under `{BASE}id/{xx}/`. `--country` must be one of
  them, and a graph that names no country at all is refused: nothing in it says whose
  facts it holds.
- **shared resources and other countries' resources**: a triple whose subject is a napgraph
  IRI outside the country's own space (`{BASE}id/{cc}/…`, `{BASE}id/country/{cc}`,
  `{BASE}dataset/{cc}`) is *kept out* of the import and reported by subject. The UNGPs,
  principles, topics, roles, international organisations and instruments keep the one
  description napgraph's shared graphs give them, and a peer's copy of Japan never becomes
  part of Kenya. The country's facts may point at them freely. One exception: an import
  that replaces the build's own country (`--replace`) keeps its descriptions of shared
  resources, as the build's graphs it takes the place of did (Japan's registry describes
  the international instruments it names).
- **blank nodes**: refused, named by the triple they hang from; nobody can link to them,
  and a renamed blank node changes at every import (docs/profile.md §1).
- **quotes**: each `oa:TextQuoteSelector`'s `oa:exact` beside an `oa:TextPositionSelector`
  of the same target, checked against the country's source text at `oa:start`–`oa:end`
  (code points, end exclusive) when that text is given.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from napgraph.graph import iris

DCT_SPATIAL = "http://purl.org/dc/terms/spatial"
OA = "http://www.w3.org/ns/oa#"
EXAMPLES = 5  # named per problem
SHOWN = 20  # lines of detail per problem


class ImportRefused(Exception):
    """The import was refused; nothing was written and a previous import is as it was."""


@dataclass
class Survey:
    """What an import's quads say about their country, scope, blank nodes and quotes."""

    country: str
    bases: tuple[str, ...] = (iris.DEFAULT_BASE,)
    keep_shared: bool = False  # replacing the build's country: its shared descriptions stay
    described: dict[str, set[str]] = field(default_factory=dict)  # country -> evidence
    kept_out: Counter = field(default_factory=Counter)  # subject IRI -> triples
    blank: list[str] = field(default_factory=list)
    selectors: dict[str, dict[str, str]] = field(default_factory=dict)  # selector -> values
    targets: dict[str, list[str]] = field(default_factory=dict)  # target -> selectors
    seen: int = 0  # quads looked at: an empty import is refused as empty, not as nameless

    def admit(self, quad: ox.Quad) -> bool:
        """Record what `quad` says; whether it belongs in the import (its subject is the
        country's own or outside napgraph's namespace)."""
        subject, predicate, value = quad.subject, quad.predicate.value, quad.object
        self.seen += 1
        for term in (subject, value):
            if isinstance(term, ox.BlankNode) and len(self.blank) < SHOWN:
                self.blank.append(_triple(quad))
        if predicate == DCT_SPATIAL and isinstance(value, ox.NamedNode):
            found = self._country_of(value.value, "id/country/")
            if found:
                self._evidence(found, f"dcterms:spatial <{value.value}>")
        if not isinstance(subject, ox.NamedNode):
            return True
        own = self._owner(subject.value)
        if own is None or own == self.country or (own == "" and self.keep_shared):
            self._remember_quote(subject.value, predicate, value)
            return True
        self.kept_out[subject.value] += 1
        return False

    def refusals(self) -> list[str]:
        """Why the import must be refused: the data names no country or another one, or
        it has blank nodes."""
        problems = []
        if self.seen and not self.described:
            base = self.bases[0]
            problems.append(
                f"the data does not say which country it describes: no dcterms:spatial "
                f"<{base}id/country/{self.country}> and no IRIs under {base}id/"
                f"{self.country}/ (docs/profile.md); nothing was imported"
            )
        elif self.described and self.country not in self.described:
            said = "; ".join(
                f"{cc} ({', '.join(sorted(evidence)[:2])})"
                for cc, evidence in sorted(self.described.items())
            )
            problems.append(
                f"--country {self.country} does not match the data, which describes {said}; "
                "nothing was imported"
            )
        if self.blank:
            problems.append(
                f"blank nodes are refused: give them IRIs under "
                f"{iris.id_space(self.country)} (docs/profile.md §1); found in:\n"
                + "\n".join(f"  {line}" for line in self.blank)
            )
        return problems

    def warnings(self) -> list[str]:
        """What was kept out of the import, by subject (shared or other countries')."""
        if not self.kept_out:
            return []
        shown = [f"  <{s}> ({n} triples)" for s, n in sorted(self.kept_out.items())[:SHOWN]]
        more = len(self.kept_out) - len(shown)
        return [
            f"kept out {sum(self.kept_out.values())} triples about {len(self.kept_out)} "
            f"resources outside {self.country}'s own IRIs (shared resources keep napgraph's "
            "description; other countries are imported as themselves):",
            *shown,
            *([f"  … and {more} more"] if more > 0 else []),
        ]

    def quote_mismatches(self, text: str) -> list[str]:
        """Each quote that is not the text of its source at its offsets."""
        wrong = []
        for target, selectors in sorted(self.targets.items()):
            values: dict[str, str] = {}
            for selector in selectors:
                values.update(self.selectors.get(selector, {}))
            if not {"start", "end", "exact"} <= set(values):
                continue
            try:
                start, end = int(values["start"]), int(values["end"])
            except ValueError:
                continue  # an ill-typed offset: the shapes report it
            found = text[start:end]
            if found != values["exact"]:
                wrong.append(
                    f"<{target}>: quotes {values['exact']!r} at {start}–{end}, "
                    f"where the source text has {found!r}"
                )
        return wrong

    def _owner(self, iri: str) -> str | None:
        """The country whose own IRI `iri` is; "" for napgraph's shared IRIs; None outside
        napgraph's namespace."""
        for base in self.bases:
            if not iri.startswith(base):
                continue
            rest = iri[len(base) :]
            for prefix in ("id/country/", "dataset/"):
                found = self._country_of(iri, prefix)
                if found:
                    return found
            match = re.match(r"id/([a-z]{2}|s\d{4})/", rest)
            if match:
                self._evidence(match.group(1), f"IRIs under {base}id/{match.group(1)}/")
                return match.group(1)
            return ""
        return None

    def _country_of(self, iri: str, prefix: str) -> str | None:
        for base in self.bases:
            if iri.startswith(base + prefix):
                code = re.fullmatch(r"([a-z]{2}|s\d{4})", iri[len(base + prefix) :])
                return code.group(1) if code else None
        return None

    def _evidence(self, country: str, what: str) -> None:
        self.described.setdefault(country, set()).add(what)

    def _remember_quote(self, subject: str, predicate: str, value) -> None:
        if not predicate.startswith(OA):
            return
        name = predicate[len(OA) :]
        if name == "hasSelector" and isinstance(value, ox.NamedNode):
            self.targets.setdefault(subject, []).append(value.value)
        elif name in ("start", "end", "exact") and isinstance(value, ox.Literal):
            self.selectors.setdefault(subject, {})[name] = value.value


def _triple(quad: ox.Quad) -> str:
    return f"{quad.subject} <{quad.predicate.value}> {quad.object}"


def check(survey: Survey, location: str, source_text: Path | None) -> None:
    """Raise ImportRefused for what the survey found wrong, and for quotes that are not
    the source text at their offsets."""
    problems = survey.refusals()
    if source_text is not None and not problems:
        try:
            text = source_text.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ImportRefused(f"{source_text}: cannot read the source text: {error}") from error
        wrong = survey.quote_mismatches(text)
        if wrong:
            problems.append(
                f"{len(wrong)} quote(s) differ from {source_text} at their offsets:\n"
                + "\n".join(f"  {line}" for line in wrong[:20])
            )
    if problems:
        raise ImportRefused(f"{location}: " + "\n".join(problems))
