"""Weekly bar charts drawn on the server as SVG: no JavaScript, no chart library, nothing to load
from elsewhere, and they print as sharply as the text around them."""

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
    week: date
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


def weekly_bars(weeks: list[date], values: list[int]) -> Chart:
    top = nice_ceiling(max(values, default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(weeks), 1)
    bars = [
        Bar(
            x=round(LEFT + i * slot + slot * 0.15, 1),
            y=round(TOP + plot_height * (1 - value / top), 1),
            width=round(slot * 0.7, 1),
            height=round(plot_height * value / top, 1),
            week=week,
            value=value,
        )
        for i, (week, value) in enumerate(zip(weeks, values, strict=True))
    ]
    y_ticks = [
        Tick(round(TOP + plot_height * (1 - value / top), 1), f"{value:,}")
        for value in ([0, top // 2, top] if top % 2 == 0 else [0, top])
    ]
    # A label under the first week of each quarter's first month, so they never crowd.
    x_ticks = []
    for i, week in enumerate(weeks):
        previous = weeks[i - 1] if i else None
        if (previous is None or previous.month != week.month) and week.month % 3 == 1:
            x_ticks.append(Tick(round(LEFT + i * slot, 1), f"{week.year}-{week.month:02d}"))
    return Chart(bars, y_ticks, x_ticks)
