"""Places on a page that apps further right fill without the page's own app importing them:
the rider's 我的 page (points) shows feedback's "my suggestions", the staff page of a worker
(registry) points' volunteer record, a station's landing page
(stations) shows points' monthly leaderboard and feedback's "what was done here", the friendly
map (stations) feedback's "what was done near these stations". Apps add their part from
AppConfig.ready(), as they add navigation items.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

RIDER_PAGE = "rider_page"  # the object is the signed-in worker
WORKER_PAGE = "worker_page"  # the staff page of a worker; the object is that worker, in scope
STATION_LANDING = "station_landing"  # the object is the station
FRIENDLY_MAP = "friendly_map"  # the object is the list of the stations on the page


@dataclass(frozen=True)
class Part:
    template_name: str
    # The page's object → the template's context. It runs on every view of the page: keep it to
    # a query or two and a capped list.
    context: Callable[[object], dict]
    order: int


SLOTS: dict[str, list[Part]] = defaultdict(list)


def add(slot: str, template_name: str, context: Callable[[object], dict], order: int) -> None:
    SLOTS[slot].append(Part(template_name, context, order))
    SLOTS[slot].sort(key=lambda part: part.order)


def render(slot: str, request, obj) -> list[str]:
    return [
        render_to_string(part.template_name, part.context(obj), request=request)
        for part in SLOTS[slot]
    ]
