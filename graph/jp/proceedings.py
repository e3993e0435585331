"""Parse a numbered item of a consultation into contributions: who reported, presented or
stated what, with the "(1) …, (2) …" sub-items.

An item is split into sentences, and a sentence into clauses at ", and " when the next
clause has a verb of its own ("… presented on their Sustainable Sourcing Code, and the
stakeholders gave presentations on …"). The verb decides the kind
(`data/shared/contribution-verbs.csv`); the words before it name the contributors: registry
names, or a group such as "the stakeholders" (`data/shared/contributor-groups.csv`).
"""

import re
from functools import cache

from napgraph.graph.paths import data_dir
from napgraph.graph.record import Contribution, ContributionItem, Mention
from napgraph.graph.registry import Registry, read_csv
from napgraph.graph.source import SourceError, SourceText, Span
from napgraph.graph.topics import TopicIndex, actor_name_spans

SUB_ITEM = re.compile(r"^\s*-?\s*\((\d+)\)\s*(\S.*?)\s*$")
INLINE_ITEM = re.compile(r"\((\d+)\)\s*")
ABBREVIATIONS = ("Ms.", "Mr.", "Mrs.", "Dr.", "Prof.", "No.", "e.g.", "i.e.")
SENTENCE_END = re.compile(r"(?<=[.!?])[”\"]?\s+(?=[A-Z“\"])")
LEADING = re.compile(r"^(?:and|then)\s+", re.IGNORECASE)
ON = re.compile(r"^(?:on|about|regarding)\s+", re.IGNORECASE)
# "… explained a plan …, and discussed it with the participants": what was explained is the
# subject; the discussion stays in the description (the whole sentence).
DISCUSSED_WITH = re.compile(
    r",?\s+and discussed (?:it|them|the plan) with (?:the )?participants$", re.IGNORECASE
)


def _phrase_table(name: str, value_column: str) -> tuple[re.Pattern[str], dict[str, str]]:
    """Read a (phrase, value) table from data/shared/ and compile a regex of its phrases."""
    rows = read_csv(data_dir() / "shared" / name)
    key_column = next(iter(rows[0]))
    table = {row[key_column].lower(): row[value_column] for row in rows}
    alternatives = "|".join(re.escape(p) for p in sorted(table, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE), table


@cache
def _verbs() -> tuple[re.Pattern[str], dict[str, str]]:
    """Verbs of contributions and the class each makes (Report, Presentation, Statement)."""
    return _phrase_table("contribution-verbs.csv", "class")


@cache
def _groups() -> tuple[re.Pattern[str], dict[str, str]]:
    """Phrases naming a group of attendees ("the stakeholders") and the role they stand for."""
    return _phrase_table("contributor-groups.csv", "role")


def parse_contributions(
    source: SourceText,
    registry: Registry,
    topics: TopicIndex,
    number: int,
    text_start: int,
    first: tuple[int, int, str],
    body: list[tuple[int, int, str]],
) -> list[Contribution]:
    """Return the contributions of item `number`; raises SourceError when a clause with a
    verb names nobody."""
    text_end = first[1] + len(first[2].rstrip())
    sub_items: list[ContributionItem] = []
    for line_no, start, text in body:
        found = SUB_ITEM.match(text)
        if found:
            span = Span(start + found.start(2), start + found.end(2))
            sub_items.append(ContributionItem(int(found.group(1)), found.group(2), span))
        elif sub_items:
            raise SourceError(source.path, line_no, f"item {number}: text after its sub-items")
        else:
            text_end = start + len(text.rstrip())  # the item's sentence goes on
    contributions: list[Contribution] = []
    for clause in _clauses(source, text_start, text_end):
        contribution = _contribution(source, registry, number, clause, contributions)
        if contribution:
            contributions.append(contribution)
    if sub_items:
        if not contributions:
            raise SourceError(source.path, first[0], f"item {number} has sub-items but no verb")
        contributions[-1].items = sub_items
    if len(contributions) > 1:
        for part, contribution in enumerate(contributions, 1):
            contribution.part = part
    for contribution in contributions:
        _find_mentions(source, registry, topics, contribution)
    return contributions


def _clauses(source: SourceText, start: int, end: int) -> list[Span]:
    verbs, _ = _verbs()
    spans = []
    for sentence in _sentences(source, start, end):
        text = source.quote(sentence)
        cut = sentence.start
        for found in re.finditer(r",\s+and\s+", text):
            rest = text[found.end() :]
            clause_end = rest.find(",")
            if verbs.search(rest if clause_end == -1 else rest[:clause_end]):
                spans.append(Span(cut, sentence.start + found.start()))
                cut = sentence.start + found.start() + 2  # keep "and …" out of the comma
        spans.append(Span(cut, sentence.end))
    return spans


def _sentences(source: SourceText, start: int, end: int) -> list[Span]:
    text = source.text[start:end]
    spans, cut = [], 0
    for found in SENTENCE_END.finditer(text):
        before = text[: found.start()].rsplit(None, 1)[-1] if text[: found.start()].strip() else ""
        if before.endswith(ABBREVIATIONS):
            continue
        spans.append(
            Span(start + cut, start + found.start() + (1 if text[found.start()] in '”"' else 0))
        )
        cut = found.end()
    spans.append(Span(start + cut, end))
    return [span for span in spans if source.quote(span).strip()]


def _contribution(
    source: SourceText, registry: Registry, number: int, clause: Span, previous: list[Contribution]
) -> Contribution | None:
    verbs, kinds = _verbs()
    text = source.quote(clause)
    lead = LEADING.match(text.strip())
    offset = len(text) - len(text.lstrip()) + (lead.end() if lead else 0)
    clause = Span(clause.start + offset, clause.end)
    text = source.quote(clause)
    verb = verbs.search(text)
    if not verb:
        return None
    subject_end = clause.start + verb.start()
    contributors = _unique(
        m.entity.key for m in registry.names.find_all(source.text, clause.start, subject_end)
    )
    group_regex, roles = _groups()
    groups = (
        []
        if contributors
        else _unique(roles[g.group().lower()] for g in group_regex.finditer(text[: verb.start()]))
    )
    if not contributors and not groups:
        if not previous or text[: verb.start()].strip():
            raise source.error(
                clause.start, f"item {number}: cannot tell who '{verb.group()}' in '{text[:80]}'"
            )
        contributors, groups = previous[-1].contributors, previous[-1].groups  # "…, and shared …"
    predicate = text[verb.end() :].strip().rstrip(".").strip()
    predicate = DISCUSSED_WITH.sub("", ON.sub("", predicate))
    subject = None if predicate.lower() in ("the following:", "the following") else predicate
    contribution = Contribution(
        number, 0, kinds[verb.group().lower()], text, clause, contributors, groups, subject
    )
    contribution.items = _inline_items(source, clause.start + verb.end(), clause.end)
    return contribution


def _inline_items(source: SourceText, start: int, end: int) -> list[ContributionItem]:
    """Items written inline: 'reported on (1) …, (2) …, and (3) ….'"""
    markers = list(INLINE_ITEM.finditer(source.text, start, end))
    if len(markers) < 2 or [int(m.group(1)) for m in markers] != list(range(1, len(markers) + 1)):
        return []
    items = []
    for index, marker in enumerate(markers):
        stop = markers[index + 1].start() if index + 1 < len(markers) else end
        text = source.text[marker.end() : stop]
        trimmed = re.sub(r"[\s,.]*(?:and\s*)?$", "", text)
        items.append(
            ContributionItem(index + 1, trimmed, Span(marker.end(), marker.end() + len(trimmed)))
        )
    return items


def _find_mentions(
    source: SourceText, registry: Registry, topics: TopicIndex, contribution: Contribution
) -> None:
    spans = [contribution.span] + [
        item.span
        for item in contribution.items
        if not (contribution.span.start <= item.span.start < contribution.span.end)
    ]
    for span in spans:
        names = registry.names.find_all(source.text, span.start, span.end)
        for match in names:
            if match.entity.key not in contribution.contributors:
                contribution.mentions.append(
                    Mention(match.entity.key, Span(match.start, match.end))
                )
        for topic in topics.find_all(source.text, span.start, span.end, actor_name_spans(names)):
            if topic.key not in {t.key for t in contribution.topics}:
                contribution.topics.append(topic)


def _unique(keys) -> list[str]:
    return list(dict.fromkeys(keys))
