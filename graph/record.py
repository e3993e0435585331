"""What a country's converter extracts from a consultation record: plain dataclasses, no RDF.

Every extracted thing keeps the span of the source text it came from.
"""

import datetime
from dataclasses import dataclass, field

from napgraph.graph.source import SourceText, Span


@dataclass
class Mention:
    """A registry entity (`org:…`, `person:…`, `instrument:…`) or topic named in the text."""

    key: str
    span: Span


@dataclass
class Participation:
    actor: str  # registry key
    role: str  # role concept slug
    span: Span


@dataclass
class ContributionItem:
    number: int
    text: str
    span: Span


@dataclass
class Contribution:
    """One clause of a numbered item saying who reported, presented or stated what."""

    number: int  # the item number in the record
    part: int  # 0 when the item holds one contribution, else 1, 2, …
    kind: str  # Report | Presentation | Statement
    text: str
    span: Span
    contributors: list[str] = field(default_factory=list)  # registry keys
    groups: list[str] = field(default_factory=list)  # role slugs ("the stakeholders")
    subject: str | None = None
    items: list[ContributionItem] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    topics: list[Mention] = field(default_factory=list)


@dataclass
class DiscussionPoint:
    number: int
    heading: str
    paragraphs: list[str]
    span: Span
    heading_span: Span
    mentions: list[Mention] = field(default_factory=list)
    topics: list[Mention] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Decision:
    """A sentence recording that something was decided ("it was decided to ...")."""

    number: int
    text: str  # the whole sentence
    decided: str  # what was decided, as worded ("to continue examining a way forward")
    span: Span
    from_discussions: bool  # the sentence says it was based on the discussions recapped


@dataclass
class Consultation:
    ordinal: int
    heading: str
    heading_span: Span
    date: datetime.date
    date_sentence: str
    date_span: Span
    organiser: str | None
    topic_statement: str
    topic_span: Span
    topics: list[Mention] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    points: list[DiscussionPoint] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)


@dataclass
class Paragraph:
    text: str
    span: Span
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Record:
    """A whole consultation record."""

    source: SourceText
    title: str
    title_span: Span
    introduction: list[Paragraph]
    consultations: list[Consultation]
    repairs: list[str] = field(default_factory=list)  # page breaks re-joined, commas missing …
