"""``page`` / ``per_page`` / ``sort_order`` as Toggl reads them: pages count from 1, sizes
are capped, orders are ``ASC`` or ``DESC`` in any case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from trackgate.service.errors import BadRequest
from trackgate.service.params import positive_int

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    def of(self, items: Sequence[T]) -> list[T]:
        start = (self.number - 1) * self.size
        return list(items[start : start + self.size])


def page_from(page: str | None, per_page: str | None, *, default: int, maximum: int) -> Page:
    return Page(
        number=positive_int(page, "page", 1),
        size=positive_int(per_page, "per_page", default, maximum),
    )


def optional_page(page: str | None, per_page: str | None, *, maximum: int) -> Page | None:
    """A page only when one was asked for; listings without paging answer everything."""
    if not page and not per_page:
        return None
    return page_from(page, per_page, default=maximum, maximum=maximum)


def descending(sort_order: str | None) -> bool:
    """True for ``DESC``; ``ASC`` (the default) is False; anything else is a 400."""
    if sort_order is None or sort_order == "" or sort_order.upper() == "ASC":
        return False
    if sort_order.upper() == "DESC":
        return True
    raise BadRequest("Invalid sort_order: expected ASC or DESC")
