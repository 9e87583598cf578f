"""The sections of a rider's "我的" page that other parts fill: activities, redemptions, and
apps to the right of points (feedback's "my suggestions"), which points must not import.

Each adds its section from its AppConfig.ready() with `add_section`, as with the staff navigation.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class Section:
    template_name: str
    # The worker → the template's context. Keep it to a query or two and a capped list: it runs
    # on every view of the page.
    context: Callable[[object], dict]
    order: int


SECTIONS: list[Section] = []


def add_section(template_name: str, context: Callable[[object], dict], order: int) -> None:
    SECTIONS.append(Section(template_name, context, order))
    SECTIONS.sort(key=lambda section: section.order)


def render_sections(request, worker) -> list[str]:
    return [
        render_to_string(section.template_name, section.context(worker), request=request)
        for section in SECTIONS
    ]
