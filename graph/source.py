"""Read a source document and locate offsets in it.

Offsets are Python string indices (Unicode code points) into the decoded text, which is
what Web Annotation `oa:start`/`oa:end` count. The text is never normalised or re-wrapped,
so offsets stay true to the file byte for byte.
"""

import bisect
import hashlib
from dataclasses import dataclass, field
from pathlib import Path


class LocatedError(Exception):
    """An input file cannot be used: says which file, which line and why."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


class SourceError(LocatedError):
    """The source document cannot be converted."""


@dataclass(frozen=True)
class Span:
    """A half-open range [start, end) of code-point offsets into the source text."""

    start: int
    end: int


@dataclass
class SourceText:
    """A decoded source document with a line index."""

    path: Path
    text: str
    sha256: str
    _line_starts: list[int] = field(repr=False, default_factory=list)

    @classmethod
    def read(cls, path: Path) -> "SourceText":
        """Read and decode `path` as UTF-8; raises SourceError naming the line of a bad byte."""
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise SourceError(path, None, f"cannot read the file ({error.strerror})") from error
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise SourceError(path, line, "the file is not valid UTF-8") from error
        if not text.strip():
            raise SourceError(path, None, "the file is empty")
        starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        return cls(path, text, hashlib.sha256(raw).hexdigest(), starts)

    def line_of(self, offset: int) -> int:
        """Return the 1-based line number holding `offset`."""
        return bisect.bisect_right(self._line_starts, offset)

    def lines(self) -> list[tuple[int, int, str]]:
        """Return every line as (line number, start offset, text without the newline)."""
        result = []
        for number, start in enumerate(self._line_starts, 1):
            end = self.text.find("\n", start)
            end = len(self.text) if end == -1 else end
            result.append((number, start, self.text[start:end]))
        return result

    def quote(self, span: Span) -> str:
        return self.text[span.start : span.end]

    def error(self, offset: int, reason: str) -> SourceError:
        """Build a SourceError for the line holding `offset`."""
        return SourceError(self.path, self.line_of(offset), reason)
