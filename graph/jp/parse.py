"""Split a consultation record into its consultations and their parts.

The record's grammar, as published:

    <title>
    <introductory paragraphs>
    1st multi-stakeholder consultation
    On March 8, 2018, the Government of Japan organized the first … on the topic of ….
    1. <who reported / presented / shared what>      (sub-items " - (1) …")
    3. The following recaps some of the main discussion points from the meeting.
       [Based on these discussions, it was decided to ….]  (decisions, on the same line)
       <heading> <paragraphs> …                        → discussion.py
    4. The attendees of the meeting were as follows:
       (Stakeholders) <names> …                        → attendees.py
    2nd multi-stakeholder consultation …

Anything that does not fit raises SourceError with the line and the reason.
"""

import datetime
import re
from dataclasses import dataclass

from napgraph.graph.emit_facts import ordinal_suffix
from napgraph.graph.jp import attendees, discussion, proceedings
from napgraph.graph.record import Consultation, Decision, Mention, Paragraph, Record
from napgraph.graph.registry import Registry
from napgraph.graph.source import SourceError, SourceText, Span
from napgraph.graph.topics import TopicIndex, actor_name_spans

HEADING = re.compile(r"^(\d+)(st|nd|rd|th) multi-stakeholder consultation\s*$")
DATE_SENTENCE = re.compile(
    r"^On (?P<month>[A-Z][a-z]+) (?P<day>\d{1,2}),? (?P<year>\d{4}), (?P<organiser>.+?) "
    r"(?:organized|held) the (?P<word>[a-z]+) multi-stakeholder consultation(?P<rest>.*)$"
)
TOPIC_LEAD = re.compile(r"^(?:,?\s*(?:on the topic of|which)\s+|\s+)")
ITEM = re.compile(r"^(\d+)\.\s+(\S.*)$")
RECAP = re.compile(r"^The following recaps some of the main discussion points from the meeting\.")
# A decision recorded after the recap sentence; any other text there is an error, so that no
# sentence of the record is dropped unseen.
DECISION = re.compile(
    r"(?:(?P<basis>Based on these discussions), it|It) was decided (?P<decided>to [^.]+)\."
)
ATTENDEES = re.compile(r"^The attendees of the meeting were as follows:\s*$")
ORDINAL_WORDS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
).split()

Line = tuple[int, int, str]  # line number, start offset, text


@dataclass
class Item:
    """A numbered item of a consultation with the lines that follow it."""

    number: int
    line: Line
    text_start: int
    body: list[Line]


def parse_record(
    source: SourceText, registry: Registry, topics: TopicIndex, expected: int | None = None
) -> Record:
    """Parse a whole record; raises SourceError naming the line of the first problem."""
    lines = source.lines()
    starts = _consultation_starts(source, lines)
    title_line = next(line for line in lines if line[2].strip())
    intro = _paragraphs(source, registry, lines[title_line[0] : starts[0]])
    consultations, repairs = [], []
    bounds = starts + [len(lines)]
    for index, begin in enumerate(starts):
        consultations.append(
            _parse_consultation(
                source,
                registry,
                topics,
                lines[begin],
                lines[begin + 1 : bounds[index + 1]],
                repairs,
            )
        )
    if expected is not None and len(consultations) != expected:
        last = lines[-1]
        raise SourceError(
            source.path,
            last[0],
            f"the record ends after {len(consultations)} "
            f"consultations, {expected} expected (is the file truncated?)",
        )
    title = title_line[2].strip()
    title_start = title_line[1] + title_line[2].index(title)
    return Record(
        source, title, Span(title_start, title_start + len(title)), intro, consultations, repairs
    )


def _consultation_starts(source: SourceText, lines: list[Line]) -> list[int]:
    """Return the indexes of the consultation headings, checking numbers and suffixes."""
    starts, seen = [], {}
    for index, (number, _, text) in enumerate(lines):
        found = HEADING.match(text)
        if not found:
            continue
        ordinal = int(found.group(1))
        if found.group(2) != ordinal_suffix(ordinal):
            raise SourceError(source.path, number, f"'{text.strip()}': wrong ordinal suffix")
        if ordinal in seen:
            raise SourceError(
                source.path,
                number,
                f"consultation {ordinal} appears twice (first at line {seen[ordinal]})",
            )
        expected = len(seen) + 1
        if ordinal != expected:
            raise SourceError(
                source.path,
                number,
                f"consultation {ordinal} found where consultation {expected} was expected",
            )
        seen[ordinal] = number
        starts.append(index)
    if not starts:
        raise SourceError(
            source.path, 1, "no consultation heading ('1st multi-stakeholder consultation') found"
        )
    return starts


def _paragraphs(source: SourceText, registry: Registry, lines: list[Line]) -> list[Paragraph]:
    result = []
    for _, start, text in lines:
        if text.strip():
            begin = start + len(text) - len(text.lstrip())
            span = Span(begin, start + len(text.rstrip()))
            mentions = [
                Mention(m.entity.key, Span(m.start, m.end))
                for m in registry.names.find_all(source.text, span.start, span.end)
            ]
            result.append(Paragraph(source.quote(span), span, mentions))
    return result


def _decisions(source: SourceText, item: Item, recap_end: int) -> list[Decision]:
    """The sentences that follow the recap sentence on its line: each must be a decision."""
    _, line_start, line_text = item.line
    position, end = item.text_start + recap_end, line_start + len(line_text.rstrip())
    decisions: list[Decision] = []
    while True:
        while position < end and source.text[position].isspace():
            position += 1
        if position >= end:
            return decisions
        match = DECISION.match(source.text, position, end)
        if not match:
            raise source.error(
                position,
                "unexpected text after 'The following recaps some of the main discussion "
                f"points from the meeting.': {source.text[position:end][:60]!r} "
                "(only 'Based on these discussions, it was decided to ….' is understood here)",
            )
        span = Span(match.start(), match.end())
        decisions.append(Decision(len(decisions) + 1, match.group(0), match.group("decided"),
                                  span, match.group("basis") is not None))
        position = match.end()


def _parse_consultation(
    source: SourceText,
    registry: Registry,
    topics: TopicIndex,
    heading: Line,
    body: list[Line],
    repairs: list[str],
) -> Consultation:
    number, start, text = heading
    ordinal = int(HEADING.match(text).group(1))
    content = [line for line in body if line[2].strip()]
    if not content:
        raise SourceError(source.path, number, f"consultation {ordinal} is empty")
    consultation = _date_sentence(source, registry, topics, ordinal, heading, content[0])
    items = _items(source, ordinal, content[1:], content[0])
    for item in items:
        first = item.line[2][item.text_start - item.line[1] :]
        if recap := RECAP.match(first):
            consultation.points = discussion.parse_points(
                source, registry, topics, item.body, repairs
            )
            consultation.decisions = _decisions(source, item, recap.end())
        elif ATTENDEES.match(first):
            consultation.participations = attendees.parse_attendees(
                source, registry, item.body, repairs
            )
        else:
            consultation.contributions.extend(
                proceedings.parse_contributions(
                    source, registry, topics, item.number, item.text_start, item.line, item.body
                )
            )
    if not consultation.participations:
        last = (body or [heading])[-1]
        raise SourceError(
            source.path,
            last[0],
            f"consultation {ordinal} has no attendee list "
            "('N. The attendees of the meeting were as follows:'); is the file truncated?",
        )
    return consultation


def _date_sentence(
    source: SourceText,
    registry: Registry,
    topics: TopicIndex,
    ordinal: int,
    heading: Line,
    line: Line,
) -> Consultation:
    number, start, text = line
    found = DATE_SENTENCE.match(text)
    if not found:
        raise SourceError(
            source.path,
            number,
            f"consultation {ordinal} has no date sentence: "
            "expected 'On <Month> <day>, <year>, … held the <ordinal> "
            "multi-stakeholder consultation …'",
        )
    try:
        month = datetime.datetime.strptime(found["month"], "%B").month
        date = datetime.date(int(found["year"]), month, int(found["day"]))
    except ValueError as error:
        raise SourceError(
            source.path,
            number,
            f"consultation {ordinal}: bad date "
            f"'{found['month']} {found['day']}, {found['year']}' ({error})",
        ) from error
    word = found["word"]
    if word not in ORDINAL_WORDS or ORDINAL_WORDS.index(word) + 1 != ordinal:
        raise SourceError(
            source.path,
            number,
            f"the date sentence says the '{word}' consultation "
            f"under the heading of consultation {ordinal}",
        )
    organiser = registry.names.match_at(
        source.text, start + found.start("organiser"), start + found.end("organiser")
    )
    lead = TOPIC_LEAD.match(found["rest"])
    topic_start = start + found.start("rest") + (lead.end() if lead else 0)
    topic_end = start + len(text.rstrip().rstrip("."))
    sentence = Span(start, start + len(text.rstrip()))
    heading_text = heading[2].strip()
    return Consultation(
        ordinal=ordinal,
        heading=heading_text,
        heading_span=Span(heading[1], heading[1] + len(heading_text)),
        date=date,
        date_sentence=source.quote(sentence),
        date_span=sentence,
        organiser=organiser.entity.key if organiser else None,
        topic_statement=source.text[topic_start:topic_end],
        topic_span=Span(topic_start, topic_end),
        topics=topics.find_all(
            source.text,
            topic_start,
            topic_end,
            actor_name_spans(registry.names.find_all(source.text, topic_start, topic_end)),
        ),
    )


def _items(source: SourceText, ordinal: int, content: list[Line], after: Line) -> list[Item]:
    """Group the lines after the date sentence into numbered items, checking their numbers."""
    items: list[Item] = []
    for line in content:
        number, start, text = line
        found = ITEM.match(text)
        if found:
            expected = len(items) + 1
            if int(found.group(1)) != expected:
                raise SourceError(
                    source.path,
                    number,
                    f"consultation {ordinal}: item "
                    f"{found.group(1)} found where item {expected} was expected",
                )
            items.append(Item(expected, line, start + found.start(2), []))
        elif not items:
            raise SourceError(
                source.path, number, f"consultation {ordinal}: text before the first numbered item"
            )
        else:
            items[-1].body.append(line)
    if not items:
        raise SourceError(source.path, after[0], f"consultation {ordinal} has no numbered items")
    return items
