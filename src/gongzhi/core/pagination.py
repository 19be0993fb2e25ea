"""Page-number pagination shared by the API and the pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

MAX_PAGE_SIZE = 200


@dataclass
class Page:
    items: list
    count: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def paginate(qs: QuerySet, *, page: int = 1, page_size: int = 50) -> Page:
    page_size = max(1, min(int(page_size or 50), MAX_PAGE_SIZE))
    page = max(1, int(page or 1))
    count = qs.count()
    start = (page - 1) * page_size
    # A page past the end is empty; never send an OFFSET the database cannot hold (page=10**20 was a 500).
    items = list(qs[start : start + page_size]) if start < count else []
    return Page(items=items, count=count, page=page, page_size=page_size)
