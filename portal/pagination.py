from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most `cap` rows. Over a province's million workers the exact COUNT(*) is most of
    a list page's time (docs/BENCHMARKS.md), and no one pages past the 200th page: beyond the cap
    the page says "more than 10,000" and the filters narrow it down."""

    cap = 10_000

    @cached_property
    def _bounded_count(self) -> int:
        # SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1): stops reading at the cap.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @property
    def capped(self) -> bool:
        return self._bounded_count > self.cap
