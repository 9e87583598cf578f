"""A worker who moves community: their past registration stays counted where it happened, and
every recount (the one every 10 minutes, the nightly one, `refresh_dashboard --all`) stores the
same figures, so a past period's figures never depend on which recount ran last."""

from io import StringIO

import pytest
from django.core.management import call_command

from portal.dashboard import tasks
from portal.dashboard.summary import Summary
from registry import services
from registry.models import Worker
from tests.dashboard.test_agreement import all_figures

pytestmark = pytest.mark.django_db


def new_in(area, period):
    figures = Summary(area, period).total
    return figures.total(figures.period, "registered")


def test_a_worker_who_moves_stays_counted_where_they_registered(counted, tree, staff_a):
    a, b, old = tree.community_a, tree.community_b, counted.old_period
    assert (new_in(a, old), new_in(b, old)) == (1, 0)
    zhang2 = Worker.objects.get(name="张二")  # registered 40 days ago with community A
    services.update_worker(zhang2, {"area": b}, [], sensitive_consent=False, by=staff_a)
    zhang2.refresh_from_db()
    assert (zhang2.area, zhang2.registered_area) == (b, a)

    tasks.refresh_dashboard()  # the recount every 10 minutes: today and yesterday
    after_the_short_recount = all_figures()
    assert (new_in(a, old), new_in(b, old)) == (1, 0)
    # How things stand now follows the move at once.
    assert Summary(a, old).total.registered() == 4
    assert Summary(b, old).total.registered() == 2

    tasks.settle_dashboard()  # the nightly recount of the last weeks
    assert all_figures() == after_the_short_recount
    call_command("refresh_dashboard", "--all", stdout=StringIO())
    assert all_figures() == after_the_short_recount
    assert (new_in(a, old), new_in(b, old)) == (1, 0)
