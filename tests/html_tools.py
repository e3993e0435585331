"""A small HTML reader for tests, on the standard library's html.parser.

`parse_html` gives the elements (tag and attributes, in document order), the text of each
`<script>` and of the whole page, and the attributes that would run code (on*=). Tests
assert on this structure rather than on substrings of the markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Page:
    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    scripts: list[tuple[dict[str, str], str]] = field(default_factory=list)
    text: str = ""
    # (tag, attributes, text) of elements whose text tests read: headings, cells, links...
    texts: list[tuple[str, dict[str, str], str]] = field(default_factory=list)

    @property
    def root_attrs(self) -> dict[str, str]:
        return next(attrs for tag, attrs in self.elements if tag == "html")

    def find(self, tag: str) -> list[dict[str, str]]:
        """The attributes of every `tag` element."""
        return [attrs for name, attrs in self.elements if name == tag]

    def text_of(self, tag: str) -> list[str]:
        """The text of every `tag` element, white space collapsed."""
        return [" ".join(text.split()) for name, _, text in self.texts if name == tag]

    @property
    def all_attrs(self) -> list[dict[str, str]]:
        return [attrs for _, attrs in self.elements]

    @property
    def inline_handlers(self) -> list[tuple[str, str]]:
        return [(tag, name) for tag, attrs in self.elements for name in attrs
                if name.lower().startswith("on")]


class _Reader(HTMLParser):
    TEXT_TAGS = frozenset({"h1", "h2", "h3", "a", "td", "th", "li", "p", "mark", "q", "title",
                           "span", "abbr", "caption", "blockquote", "pre", "code",
                           "textarea"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self._script: tuple[dict[str, str], list[str]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        self.page.elements.append((tag, values))
        if tag == "script":
            self._script = (values, [])
        if tag in self.TEXT_TAGS:
            self._open.append((tag, values, []))

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.page.scripts.append((self._script[0], "".join(self._script[1])))
            self._script = None
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                name, attrs, parts = self._open.pop(index)
                self.page.texts.append((name, attrs, "".join(parts)))
                break

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)
            return
        self._text.append(data)
        for _, _, parts in self._open:
            parts.append(data)


def parse_html(markup: str) -> Page:
    """Read an HTML document into a Page."""
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    reader.page.text = " ".join("".join(reader._text).split())
    return reader.page
