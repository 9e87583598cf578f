from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dashboard.models import Figure, Refresh
from dashboard.summary import Period, Summary

pytestmark = pytest.mark.django_db


def test_refresh_dashboard_counts_the_last_days_or_everything(counted, tree):
    Figure.objects.all().delete()
    out = StringIO()
    call_command("refresh_dashboard", "--days", "3", stdout=out)
    assert f"figures counted up to {timezone.localdate()}" in out.getvalue()
    today = timezone.localdate()
    old = Summary(tree.street, counted.old_period).total
    assert old.total(old.period, "registered") == 0  # 40 days ago: not recounted yet
    call_command("refresh_dashboard", "--all", stdout=StringIO())
    old = Summary(tree.street, counted.old_period).total
    assert old.total(old.period, "registered") == 1
    assert Summary(tree.street, Period(today, today)).total.registered() == 6
    assert Refresh.objects.latest().last_day == today


def test_refresh_dashboard_refuses_a_number_of_days_below_one():
    with pytest.raises(CommandError):
        call_command("refresh_dashboard", "--days", "0")
