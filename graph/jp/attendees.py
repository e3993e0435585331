"""Parse a consultation's attendee list into participations (actor, role, span).

    (Stakeholders)
    Global Compact Network Japan, Keidanren (Japan Business Federation), …
    (Relevant Cabinet Office, Ministries and Agencies)
    Cabinet Office, …, Ministry of Economy, Trade and Industry (Observers: Ministry of Land,
    Infrastructure, Transport and Tourism and Technology & Logistics Agency)
    (Observers)
    United Nations Information Centre, Tokyo (UNIC, Tokyo)

Section headings map to roles through `data/<cc>/attendee-sections.csv`. Names are read
leftmost-longest from the registry, so commas inside names, missing commas between names
and names broken across lines all resolve; a name the registry does not know is an error.
"""

import re

from napgraph.graph.paths import data_dir
from napgraph.graph.record import Participation
from napgraph.graph.registry import Registry, read_csv
from napgraph.graph.source import SourceError, SourceText, Span

SECTION = re.compile(r"^\s*\(([^()]+)\)\s*$")
INLINE_GROUP = re.compile(r"\(\s*([A-Za-z ]+?)\s*:\s*")
SEPARATOR = re.compile(r"(?:\s|,)*(?:and\s+)?")


def section_roles(country: str) -> dict[tuple[str, str], str]:
    """Return {(heading, context): role slug} from the country's attendee-sections.csv."""
    rows = read_csv(data_dir() / country / "attendee-sections.csv")
    return {(row["heading"], row["context"]): row["role"] for row in rows}


def parse_attendees(
    source: SourceText, registry: Registry, body: list[tuple[int, int, str]], repairs: list[str]
) -> list[Participation]:
    """Return the participations listed in `body`, the lines after 'The attendees …'."""
    roles = section_roles(registry.country)
    sections: list[tuple[str, int, int, int]] = []  # role, line, start, end of the names
    for number, start, text in body:
        found = SECTION.match(text)
        if found:
            heading = found.group(1).strip()
            if (heading, "section") not in roles:
                raise SourceError(source.path, number, f"unknown attendee section '({heading})'")
            sections.append(
                (roles[(heading, "section")], number, start + len(text), start + len(text))
            )
        elif not sections:
            raise SourceError(
                source.path,
                number,
                "attendee names before any section heading such as '(Stakeholders)'",
            )
        else:
            role, line, begin, _ = sections[-1]
            sections[-1] = (role, line, begin, start + len(text))
    participations: list[Participation] = []
    for role, line, begin, end in sections:
        found = _scan(source, registry, roles, role, begin, end, repairs, inline=False)
        if not found[0]:
            raise SourceError(source.path, line, "attendee section with no names")
        participations.extend(found[0])
    _check_unique(source, participations)
    return participations


def _scan(
    source: SourceText,
    registry: Registry,
    roles: dict[tuple[str, str], str],
    role: str,
    pos: int,
    end: int,
    repairs: list[str],
    inline: bool,
) -> tuple[list[Participation], int]:
    """Read names from pos to end; an inline '(Observers: …)' group recurses. Returns the
    participations and the position after the closing parenthesis of an inline group."""
    text = source.text
    found: list[Participation] = []
    while True:
        pos = SEPARATOR.match(text, pos, end).end()
        if pos >= end:
            if inline:
                raise source.error(pos, "unclosed '(' in the attendee list")
            return found, pos
        if inline and text[pos] == ")":
            return found, pos + 1
        group = INLINE_GROUP.match(text, pos, end)
        if group and not inline:
            heading = group.group(1)
            if (heading, "inline") not in roles:
                raise source.error(pos, f"unknown group '({heading}:' in the attendee list")
            inner, pos = _scan(
                source,
                registry,
                roles,
                roles[(heading, "inline")],
                group.end(),
                end,
                repairs,
                inline=True,
            )
            found.extend(inner)
            continue
        match = registry.names.match_at(text, pos, end)
        if match is None:
            # After a name not followed by a comma, the unknown name may start with it
            # ("OECD Paris Centre" read as "OECD" + "Paris Centre"): show it whole.
            glued = found and re.fullmatch(r"[ \t]+", text[found[-1].span.end : pos])
            start = found[-1].span.start if glued else pos
            name = re.match(r"[^,()\n]*", text[start:end]).group().strip()
            raise source.error(
                start,
                f"unknown attendee name '{name}' (add it to the registry: "
                f"data/{registry.country}/actors.csv or aliases.csv)",
            )
        found.append(Participation(match.entity.key, role, Span(match.start, match.end)))
        _note_missing_comma(source, match.end, end, repairs)
        pos = match.end


def _note_missing_comma(source: SourceText, pos: int, end: int, repairs: list[str]) -> None:
    gap = re.match(r"[ \t]+(?=[A-Z])", source.text[pos:end])
    if gap:
        repairs.append(
            f"line {source.line_of(pos)}: no comma after "
            f"'{source.text[max(0, pos - 30) : pos].strip()}'; names read apart"
        )


def _check_unique(source: SourceText, participations: list[Participation]) -> None:
    seen: dict[str, Participation] = {}
    for item in participations:
        if item.actor in seen:
            first = source.line_of(seen[item.actor].span.start)
            raise source.error(
                item.span.start,
                f"{item.actor} is listed twice in one consultation (also at line {first})",
            )
        seen[item.actor] = item
