"""Parse the recapped discussion points of a consultation: headings and their paragraphs.

Headings come in four shapes in the record: "• Broad view", "- **Management of …**",
"• **Cross-sectional links …**", and a bare short line ("Supply chains"). A line that
starts in lower case after a paragraph that did not end a sentence continues that
paragraph: the published text was split there by a page break, so it is re-joined (and
the repair reported).
"""

import re

from napgraph.graph.record import DiscussionPoint, Mention
from napgraph.graph.registry import Registry
from napgraph.graph.source import SourceError, SourceText, Span
from napgraph.graph.topics import TopicIndex, actor_name_spans

BOLD_HEADING = re.compile(r"^\s*(?:[•\-]\s*)?\*\*(?P<title>.+?)\*\*\s*$")
BULLET_HEADING = re.compile(r"^\s*•\s*(?P<title>[^*].*?)\s*$")
LIST_PARAGRAPH = re.compile(r"^\s*-\s+(?P<text>\S.*?)\s*$")
SENTENCE_DONE = re.compile(r"[.!?:”\"]\s*$")
MAX_BARE_HEADING_WORDS = 12


def parse_points(
    source: SourceText,
    registry: Registry,
    topics: TopicIndex,
    body: list[tuple[int, int, str]],
    repairs: list[str],
) -> list[DiscussionPoint]:
    """Return the discussion points in `body`; raises SourceError on text before any heading
    or a heading without text."""
    points: list[DiscussionPoint] = []
    paragraphs: list[list[Span]] = []  # per point, the spans of its paragraphs
    for number, start, text in body:
        heading = _heading(text, points and paragraphs[-1], source)
        if heading:
            title_start = start + heading.start("title")
            title_span = Span(title_start, title_start + len(heading.group("title")))
            points.append(
                DiscussionPoint(
                    len(points) + 1,
                    heading.group("title"),
                    [],
                    Span(start, start + len(text)),
                    title_span,
                )
            )
            paragraphs.append([])
            continue
        if not points:
            raise SourceError(source.path, number, "discussion text before any heading")
        listed = LIST_PARAGRAPH.match(text)
        begin = start + (listed.start("text") if listed else len(text) - len(text.lstrip()))
        span = Span(begin, start + len(text.rstrip()))
        current = paragraphs[-1]
        if current and _continues(source, current[-1], span):
            current[-1] = Span(current[-1].start, span.end)
            repairs.append(f"line {number}: re-joined a sentence split by a page break")
        else:
            current.append(span)
    for point, spans in zip(points, paragraphs, strict=True):
        if not spans:
            raise source.error(point.span.start, f"discussion point '{point.heading}' has no text")
        point.paragraphs = [_joined(source, span) for span in spans]
        point.span = Span(point.span.start, spans[-1].end)
        names = registry.names.find_all(source.text, point.span.start, point.span.end)
        point.mentions = [Mention(m.entity.key, Span(m.start, m.end)) for m in names]
        point.topics = topics.find_all(
            source.text, point.span.start, point.span.end, actor_name_spans(names)
        )
    return points


def _heading(text: str, open_paragraphs, source: SourceText) -> re.Match[str] | None:
    found = BOLD_HEADING.match(text) or BULLET_HEADING.match(text)
    if found:
        return found
    bare = re.match(r"^\s*(?P<title>[A-Z][^.:;]*?)\s*$", text)
    if bare and len(bare.group("title").split()) <= MAX_BARE_HEADING_WORDS:
        previous_done = not open_paragraphs or SENTENCE_DONE.search(
            source.quote(open_paragraphs[-1])
        )
        return bare if previous_done else None
    return None


def _continues(source: SourceText, previous: Span, span: Span) -> bool:
    return not SENTENCE_DONE.search(source.quote(previous)) and source.text[span.start].islower()


def _joined(source: SourceText, span: Span) -> str:
    """The paragraph's text with the page break (blank lines) folded into one space."""
    return re.sub(r"\s*\n\s*", " ", source.quote(span))
