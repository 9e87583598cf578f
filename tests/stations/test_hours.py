"""Station.is_open_at: 24 hours, a day's hours, intervals past midnight, the closure flag."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from stations.models import Station
from stations.templatetags.stations import open_days

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, clock: str) -> datetime:
    """A moment of the week of Monday 2026-11-23 (day 0) in local time."""
    hour, minute = map(int, clock.split(":"))
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=SHANGHAI)


def station(**fields) -> Station:
    return Station(**{"open_24h": False, "hours": {}, **fields})


def test_a_station_open_24_hours_is_open_at_any_moment():
    assert station(open_24h=True).is_open_at(at(6, "03:00"))


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(0, "07:59"), False),
        (at(0, "08:00"), True),
        (at(0, "19:59"), True),
        (at(0, "20:00"), False),
    ],
)
def test_normal_hours_open_at_the_opening_time_and_close_at_the_closing_time(moment, is_open):
    assert station(hours={"0": [["08:00", "20:00"]]}).is_open_at(moment) is is_open


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        (at(4, "21:59"), False),  # Friday evening, before opening
        (at(4, "22:00"), True),  # Friday night
        (at(4, "23:59"), True),
        (at(5, "00:30"), True),  # Saturday after midnight: Friday's interval runs on
        (at(5, "05:59"), True),
        (at(5, "06:00"), False),
        (at(4, "03:00"), False),  # Friday early morning: Thursday has no hours
    ],
)
def test_an_interval_past_midnight_counts_on_both_sides_of_it(moment, is_open):
    assert station(hours={"4": [["22:00", "06:00"]]}).is_open_at(moment) is is_open


def test_a_day_without_hours_is_closed_all_day():
    weekdays_only = station(hours={str(day): [["08:00", "18:00"]] for day in range(5)})
    assert weekdays_only.is_open_at(at(2, "12:00"))
    assert not weekdays_only.is_open_at(at(6, "12:00"))


def test_a_temporarily_closed_station_is_closed_even_around_the_clock():
    closed = station(open_24h=True, temporarily_closed=True, closure_reason="装修")
    assert not closed.is_open_at(at(1, "12:00"))


def test_the_poster_names_runs_of_days_with_the_same_hours_together():
    week = {**{str(day): [["09:00", "21:00"]] for day in range(5)}, "5": [["22:00", "02:00"]]}
    with translation.override("en"):
        assert open_days(station(hours=week)) == [
            ("Monday–Friday", "09:00–21:00"),
            ("Saturday", "22:00–next day 02:00"),
        ]
