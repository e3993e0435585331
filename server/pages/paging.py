"""Pages of a long list: `?page=N` over rows in a stable order, at most `size` rows a page.

A page's rows come from a query whose ORDER BY ends with the rows' IRIs, so page N shows the
same rows on every request of one dataset version. Past the last page is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from werkzeug.exceptions import NotFound

from ..http.errors import BadParameter

T = TypeVar("T")
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Page:
    """Where a page sits in the whole list."""

    number: int  # from 1
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first row, 0 if the list is empty."""
        return min(self.total, (self.number - 1) * self.size + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.number * self.size)


def page_number(args: Mapping[str, str]) -> int:
    """The `page` request argument (1 if absent); raises BadParameter if it is not a whole
    number from 1."""
    value = args.get("page", "1").strip() or "1"
    if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
        raise BadParameter(f"page must be a whole number from 1, not {value[:20]!r}")
    return int(value)


def page_at(number: int, size: int, total: int) -> Page:
    """Page `number` of a list of `total` rows; raises NotFound past the last page."""
    page = Page(number, size, total)
    if number > page.pages:
        raise NotFound(f"there are {page.pages} pages")
    return page


def page_of(rows: Sequence[T], number: int, size: int) -> tuple[list[T], Page]:
    """The rows of page `number` and where it sits; raises NotFound past the last page."""
    page = page_at(number, size, len(rows))
    return list(rows[(number - 1) * size:number * size]), page
