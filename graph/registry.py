"""The curated registry of actors, persons and instruments, and the matcher that finds their
names in running text.

Every name the converter resolves goes through `NameIndex`: one alias table built from the
registry CSVs (`data/<cc>/actors.csv`, `persons.csv`, `instruments.csv`, `aliases.csv`).
Matching is case-insensitive, treats any run of white space (line breaks included) as one
space, and straight and curly apostrophes and quotes as equal. At each position the longest
alias wins, so "Ministry of Economy, Trade and Industry" is one name, not three.
"""

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from napgraph.graph.paths import data_dir

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


class RegistryError(Exception):
    """The registry files are inconsistent (duplicate slug, alias of an unknown entity, …)."""


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV data file into a list of rows (dicts), stripping surrounding spaces."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def normalise(name: str) -> str:
    """Return the comparison key of a name: lower case, one space, plain quotes, no leading 'the'."""
    key = " ".join(name.translate(_QUOTES).split()).lower()
    key = re.sub(r"\s*,\s*", ", ", key)
    return key[4:] if key.startswith("the ") else key


def alias_pattern(alias: str) -> str:
    """Return a regex source matching `alias` with the tolerance described in the module doc."""
    key = normalise(alias)
    parts = []
    for char in key:
        if char == " ":
            parts.append(r"\s+")
        elif char == "'":
            parts.append("['’‘]")
        elif char == '"':
            parts.append('["“”]')
        elif char == ",":
            parts.append(r",?")  # a name may lose a comma ("UNIC Tokyo" / "UNIC, Tokyo")
        else:
            parts.append(re.escape(char))
    return r"(?:the\s+)?" + "".join(parts)


def compile_names(names, suffix: str = "") -> re.Pattern[str]:
    """Compile a regex matching any of `names` as whole words, longest first (so the longest
    name wins at a position), each optionally followed by `suffix` (a regex)."""
    body = "|".join(alias_pattern(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{body}){suffix}(?![\w-])", re.IGNORECASE)


@dataclass
class Entity:
    """One registry entry: an organisation, a person or an instrument."""

    kind: str  # org | person | instrument
    slug: str
    row: dict[str, str]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.slug}"

    @property
    def scope(self) -> str:
        """`intl` for international entities, else the country code."""
        return self.row.get("scope", "") or ""


@dataclass
class Match:
    entity: Entity
    start: int
    end: int


@dataclass
class NameIndex:
    """Finds registry names in text, leftmost-longest."""

    aliases: dict[str, Entity]
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._regex = compile_names(self.aliases)

    def _entity_for(self, matched: str) -> Entity:
        return self.aliases[normalise(matched)]

    def match_at(self, text: str, pos: int, end: int | None = None) -> Match | None:
        """Return the longest name starting exactly at `pos`, with a same-entity parenthetical
        such as "Keidanren (Japan Business Federation)" absorbed, or None."""
        found = self._regex.match(text, pos, len(text) if end is None else end)
        if not found:
            return None
        entity = self._entity_for(found.group())
        return Match(entity, pos, self._absorb_parenthetical(text, entity, found.end(), end))

    def _absorb_parenthetical(self, text: str, entity: Entity, pos: int, end: int | None) -> int:
        opening = re.compile(r"\s*\(").match(text, pos, len(text) if end is None else end)
        if not opening:
            return pos
        inner = self._regex.match(text, opening.end())
        if (
            inner
            and text.startswith(")", inner.end())
            and self._entity_for(inner.group()) is entity
        ):
            return inner.end() + 1
        return pos

    def find_all(self, text: str, start: int = 0, end: int | None = None) -> list[Match]:
        """Return every name in text[start:end], left to right, never overlapping."""
        stop = len(text) if end is None else end
        matches, pos = [], start
        while True:
            found = self._regex.search(text, pos, stop)
            if not found:
                return matches
            entity = self._entity_for(found.group())
            matches.append(Match(entity, found.start(), found.end()))
            pos = found.end()


@dataclass
class Registry:
    """All curated reference data for one country."""

    country: str
    entities: dict[str, Entity]
    names: NameIndex
    alias_notes: list[dict[str, str]]

    def get(self, key: str) -> Entity:
        try:
            return self.entities[key]
        except KeyError:
            raise RegistryError(f"unknown registry entity {key!r}") from None


def load_registry(country: str = "jp", folder: Path | None = None) -> Registry:
    """Load the registry of `country` from `folder` (default: the bundled data).

    Raises RegistryError on a duplicate slug, an alias of an unknown entity, or one alias
    naming two entities.
    """
    folder = folder or data_dir() / country
    entities: dict[str, Entity] = {}
    for kind, filename in (
        ("org", "actors.csv"),
        ("person", "persons.csv"),
        ("instrument", "instruments.csv"),
    ):
        for row in read_csv(folder / filename):
            entity = Entity(kind, row["slug"], row)
            if entity.key in entities:
                raise RegistryError(f"{filename}: duplicate slug {row['slug']!r}")
            entities[entity.key] = entity

    aliases: dict[str, Entity] = {}

    def add(alias: str, entity: Entity) -> None:
        key = normalise(alias)
        if key in aliases and aliases[key] is not entity:
            raise RegistryError(f"alias {alias!r} names both {aliases[key].key} and {entity.key}")
        aliases[key] = entity

    for entity in entities.values():
        if entity.kind in ("org", "instrument"):
            add(entity.row["name_en"], entity)
    alias_rows = read_csv(folder / "aliases.csv")
    for row in alias_rows:
        if row["entity"] not in entities:
            raise RegistryError(f"aliases.csv: alias {row['alias']!r} of unknown {row['entity']!r}")
        add(row["alias"], entities[row["entity"]])
    return Registry(country, entities, NameIndex(aliases), alias_rows)
