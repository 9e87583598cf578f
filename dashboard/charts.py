"""Bar charts of the period, a bar a day or a week, drawn on the server as SVG: no JavaScript, no
chart library, nothing to load from elsewhere, and they print as sharply as the text around them."""

import math
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 10, 30  # room for the axis labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    start: date  # the bar's first day: the day itself, or the week's
    value: int


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    by_week: bool
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ that is at least `value` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def bars(starts: list[date], values: list[int], *, by_week: bool) -> Chart:
    """A bar for each day (or week) starting on `starts`, with `values`."""
    top = nice_ceiling(max(values, default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(starts), 1)
    drawn = [
        Bar(
            x=round(LEFT + i * slot + slot * 0.15, 1),
            y=round(TOP + plot_height * (1 - value / top), 1),
            width=round(slot * 0.7, 1),
            height=round(plot_height * value / top, 1),
            start=start,
            value=value,
        )
        for i, (start, value) in enumerate(zip(starts, values, strict=True))
    ]
    y_ticks = [
        Tick(round(TOP + plot_height * (1 - value / top), 1), f"{value:,}")
        for value in ([0, top // 2, top] if top % 2 == 0 else [0, top])
    ]
    labelled = _week_labels(starts) if by_week else _day_labels(starts)
    x_ticks = [Tick(round(LEFT + i * slot, 1), label) for i, label in labelled]
    return Chart(drawn, y_ticks, x_ticks, by_week)


def _day_labels(days: list[date]) -> list[tuple[int, str]]:
    """Every seventh day from the first, so they never crowd."""
    return [(i, f"{day:%m-%d}") for i, day in enumerate(days) if i % 7 == 0]


def _week_labels(weeks: list[date]) -> list[tuple[int, str]]:
    """The first week of a month, of every month, every quarter's or every half-year's first
    month, whichever gives at most six labels."""
    months = {(week.year, week.month) for week in weeks}
    every = next(step for step in (1, 3, 6, 12) if len(months) / step <= 6)
    return [
        (i, f"{week:%Y-%m}")
        for i, week in enumerate(weeks)
        if (i == 0 or weeks[i - 1].month != week.month) and (week.month - 1) % every == 0
    ]
