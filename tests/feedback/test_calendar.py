"""The working-day calendar: the State Council's holidays from chinese-calendar, the admin's days
over them, working hours, and the deadlines of the urgency classes."""

from datetime import date, datetime, time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from feedback import calendar
from feedback.models import CalendarDay, DeadlineUnit, UrgencyClass
from portal.settings import env_hours

pytestmark = pytest.mark.django_db


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_the_state_councils_holidays_and_make_up_days_count_without_any_admin_entry():
    assert not CalendarDay.objects.exists()
    assert not calendar.is_working_day(date(2026, 10, 1))  # 国庆节, a Thursday
    assert calendar.is_working_day(date(2026, 10, 10))  # the Saturday worked for it
    assert not calendar.is_working_day(date(2026, 2, 16))  # 春节, a Monday
    assert calendar.is_working_day(date(2026, 2, 14))  # a Saturday worked for it
    # From the Friday before the Spring Festival to the Tuesday after: the worked Saturday and
    # the Tuesday.
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_an_admin_entry_overrides_the_package_either_way():
    CalendarDay.objects.create(date=date(2026, 10, 1), name="照常上班", is_working_day=True)
    CalendarDay.objects.create(date=date(2026, 10, 12), name="本地假日")
    assert calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 10, 12))


def test_a_year_the_package_does_not_know_is_monday_to_friday_plus_the_admins_days():
    year = calendar.official_years().stop  # the first year after the package's last
    assert calendar.is_working_day(date(year, 1, 1)) == (date(year, 1, 1).weekday() < 5)
    new_year = next(date(year, 1, day) for day in range(1, 8) if date(year, 1, day).weekday() < 5)
    CalendarDay.objects.create(date=new_year, name="元旦")
    assert not calendar.is_working_day(new_year)


def test_working_hours_count_only_the_working_hours_of_working_days(settings):
    settings.FEEDBACK_WORKING_HOURS = (time(9), time(17, 30))
    friday = date(2026, 11, 27)
    monday = date(2026, 11, 30)
    assert calendar.add_working_hours(at(friday, 10), 2) == at(friday, 12)
    assert calendar.add_working_hours(at(friday, 16, 30), 2) == at(monday, 10)
    # Before the day begins, at night or at the weekend: counted from the next beginning.
    assert calendar.add_working_hours(at(friday, 7), 2) == at(friday, 11)
    assert calendar.add_working_hours(at(date(2026, 11, 28), 20), 1) == at(monday, 10)


def test_working_hours_jump_the_national_day_holiday():
    # Wednesday 30 September 2026 at 17:00; 1–7 October off (the 3rd and 4th a weekend).
    assert calendar.add_working_hours(at(date(2026, 9, 30), 17), 2) == at(date(2026, 10, 8), 10, 30)


def test_a_deadline_in_working_days_ends_with_its_last_day():
    thursday = date(2026, 4, 30)  # Labour Day: 1–5 May off, Saturday 9 May worked
    due = calendar.deadline(at(thursday, 15), 5, DeadlineUnit.WORKING_DAYS)
    assert timezone.localtime(due) == at(date(2026, 5, 11), 23, 59).replace(second=59)
    assert calendar.deadline(at(thursday, 15), 3, DeadlineUnit.HOURS) == at(thursday, 18)


def test_the_seeded_classes_give_the_issues_defaults():
    urgent = UrgencyClass.objects.get(name="紧急")
    usual = UrgencyClass.objects.get(name="一般")
    assert UrgencyClass.objects.default() == usual
    friday_afternoon = at(date(2026, 11, 27), 16, 30)
    # 紧急: finished within 2 hours; acknowledged within 2 working hours, never after it is due.
    assert urgent.due_at(friday_afternoon) == at(date(2026, 11, 27), 18, 30)
    assert urgent.acknowledge_by(friday_afternoon) == at(date(2026, 11, 27), 18, 30)
    thursday_morning = at(date(2026, 11, 26), 10)
    assert urgent.acknowledge_by(thursday_morning) == at(date(2026, 11, 26), 12)
    # 一般: acknowledged by the end of the next working day, finished within 5 working days.
    assert timezone.localtime(usual.acknowledge_by(friday_afternoon)).date() == date(2026, 11, 30)
    assert timezone.localtime(usual.due_at(friday_afternoon)).date() == date(2026, 12, 4)


def test_only_one_class_is_the_default():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        UrgencyClass.objects.create(
            name="较急", acknowledge_within=1, finish_within=3, is_default=True
        )


@pytest.mark.parametrize("raw", ["9-17", "17:30-09:00", "09:00", "25:00-26:00", "09:00 to 17:30"])
def test_working_hours_written_wrong_stop_start_up(monkeypatch, raw):
    monkeypatch.setenv("FEEDBACK_WORKING_HOURS_TEST", raw)
    with pytest.raises(ImproperlyConfigured, match="FEEDBACK_WORKING_HOURS_TEST"):
        env_hours("FEEDBACK_WORKING_HOURS_TEST", "09:00-17:30")


def test_working_hours_from_the_environment(monkeypatch):
    monkeypatch.setenv("FEEDBACK_WORKING_HOURS_TEST", "08:30 - 18:00")
    assert env_hours("FEEDBACK_WORKING_HOURS_TEST", "09:00-17:30") == (time(8, 30), time(18))
