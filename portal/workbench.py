"""The staff home's workbench: today's work for the user's role and scope, each kind a count with
a link to the page where it is done, instead of a list of every page.

Apps add their part from AppConfig.ready() with `add`, as they add navigation entries, so the core
imports no app: registry the registrations to confirm and the care visits due, feedback the
suggestions and tasks, points the rewards waiting for pickup. A part shows only to users whose
role its view (`url_name`) lets in, as a navigation entry does; its `counts` selector reads the
user's scope and returns the lines, spending a query or two on all of them together.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import resolve, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class Line:
    """One kind of work: how many wait, and where they are done."""

    label: str
    count: int
    url: str
    # Late, or due today: shown in red while there are any.
    urgent: bool = False
    # A short word under the label: what is counted, or since when.
    note: str = ""


@dataclass(frozen=True)
class Part:
    title: Promise
    # The page the part's work is done on: whoever its view lets in sees the part.
    url_name: str
    # The user → the part's lines (an empty list: nothing of this kind for this user).
    counts: Callable[[object], list[Line]]
    order: int

    def allows(self, user) -> bool:
        view = resolve(reverse(self.url_name)).func
        return user.role in getattr(view, "allowed_roles", ())


PARTS: list[Part] = []


def add(title: Promise, url_name: str, counts: Callable[[object], list[Line]], order: int) -> None:
    PARTS.append(Part(title, url_name, counts, order))
    PARTS.sort(key=lambda part: part.order)


def today(user) -> list[tuple[Part, list[Line]]]:
    """The parts the user may see, each with its lines; parts without lines are left out."""
    parts = []
    for part in PARTS:
        if part.allows(user):
            lines = part.counts(user)
            if lines:
                parts.append((part, lines))
    return parts
