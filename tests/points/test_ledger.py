"""The points ledger: append-only entries, balances that never go below zero, manual
adjustments by staff with a reason, and the check of every balance against its ledger."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from points.models import Account, Entry, EntryKind
from points.services.ledger import PointsError, adjust, award, balance, cause_of
from tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def test_awarding_twice_for_the_same_cause_awards_once(shopper, reward_a):
    cause = cause_of(reward_a)
    assert award(shopper, 5, EntryKind.GRID_DUTY, cause=cause) is not None
    assert award(shopper, 5, EntryKind.GRID_DUTY, cause=cause) is None
    assert balance(shopper) == 105
    assert shopper.points_entries.filter(cause=cause).count() == 1


def test_taking_more_than_the_balance_is_refused_by_the_database(shopper):
    with pytest.raises(IntegrityError):
        award(shopper, -101, EntryKind.ADJUSTMENT, note="too much")
    assert balance(shopper) == 100
    assert not shopper.points_entries.filter(amount=-101).exists()


def test_an_entry_is_never_changed_or_deleted_from_python(shopper):
    entry = shopper.points_entries.get()
    entry.amount = 1000
    with pytest.raises(IntegrityError):
        entry.save()
    with pytest.raises(IntegrityError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.amount == 100


@pytest.mark.parametrize("change", ["update", "delete"])
def test_bulk_changes_of_entries_are_refused(shopper, change):
    with pytest.raises(IntegrityError):
        getattr(Entry.objects.filter(worker=shopper), change)(
            **({"amount": 1000} if change == "update" else {})
        )
    assert list(Entry.objects.values_list("amount", flat=True)) == [100]


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE points_entry SET amount = 1000",
        "UPDATE points_entry SET kind = 'refund'",
        "UPDATE points_entry SET note = '改'",
        "UPDATE points_entry SET created_at = NULL",
        # where it counts on the dashboard: another area (the tree's first, the city)
        "UPDATE points_entry SET area_id = (SELECT min(id) FROM portal_area)",
    ],
)
def test_the_database_refuses_sql_that_changes_an_entry(shopper, sql):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert list(Entry.objects.values_list("amount", "kind", "note")) == [
        (100, "activity", "夏送清凉")
    ]


def test_deleting_a_staff_account_keeps_the_entries_it_recorded(shopper, staff_a):
    award(shopper, 5, EntryKind.ADJUSTMENT, note="补录", by=staff_a)
    staff_a.delete()
    assert list(shopper.points_entries.values_list("amount", "recorded_by")) == [
        (5, None),
        (100, None),
    ]


def test_a_deleted_worker_takes_their_ledger_and_balance_along(shopper, capsys):
    shopper.delete()
    assert not Entry.objects.exists() and not Account.objects.exists()
    call_command("verify_points")


def test_an_adjustment_needs_a_reason_and_points(shopper, staff_a):
    with pytest.raises(PointsError) as blank:
        adjust(shopper, 10, "  ", by=staff_a)
    with pytest.raises(PointsError) as zero:
        adjust(shopper, 0, "补录", by=staff_a)
    assert (blank.value.code, zero.value.code) == ("reason", "amount")
    assert balance(shopper) == 100


def test_an_adjustment_cannot_take_more_than_the_balance(shopper, staff_a):
    with translation.override("en"), pytest.raises(PointsError) as refused:
        adjust(shopper, -150, "重复发放", by=staff_a)
    assert refused.value.code == "balance"
    assert str(refused.value) == "孙悟空 has 100 points: an adjustment cannot take more than that."
    assert balance(shopper) == 100


def test_staff_see_a_workers_balance_and_history(english, staff_a, shopper):
    award(shopper, -30, EntryKind.REDEMPTION, note="雨伞")
    english.force_login(staff_a)
    response = english.get(reverse("points:worker", args=[shopper.pk]))
    assert response.status_code == 200
    assert response.context["balance"] == 70
    assert "夏送清凉" in response.text and "雨伞" in response.text
    assert shopper.mobile not in response.text and shopper.masked_mobile in response.text
    assert "Adjust the points" in response.text


def test_officials_read_the_points_but_do_not_adjust_them(english, official, shopper):
    english.force_login(official)
    page = english.get(reverse("points:worker", args=[shopper.pk]))
    assert page.status_code == 200 and "Adjust the points" not in page.text
    response = english.post(
        reverse("points:adjust", args=[shopper.pk]), {"amount": 10, "reason": "补录"}
    )
    assert response.status_code == 403
    assert balance(shopper) == 100


def test_staff_adjust_the_points_with_a_reason(english, staff_a, shopper):
    english.force_login(staff_a)
    response = english.post(
        reverse("points:adjust", args=[shopper.pk]),
        {"amount": -20, "reason": " 线下活动 重复登记 "},
        follow=True,
    )
    assert "Adjusted the points of 孙悟空 by -20." in response.text
    entry = shopper.points_entries.get(kind=EntryKind.ADJUSTMENT)
    assert (entry.amount, entry.note, entry.recorded_by) == (-20, "线下活动 重复登记", staff_a)
    assert balance(shopper) == 80


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": 10, "reason": ""}, "This field is required."),
        ({"amount": 0, "reason": "补录"}, "Enter a number of points other than 0."),
        ({"amount": "ten", "reason": "补录"}, "Enter a whole number."),
        (
            {"amount": -500, "reason": "扣回"},
            "孙悟空 has 100 points: an adjustment cannot take more than that.",
        ),
    ],
)
def test_a_refused_adjustment_says_why_and_changes_nothing(
    english, staff_a, shopper, data, message
):
    english.force_login(staff_a)
    response = english.post(reverse("points:adjust", args=[shopper.pk]), data)
    assert response.status_code == 400
    assert message in response.text
    assert balance(shopper) == 100 and shopper.points_entries.count() == 1


def test_staff_of_another_community_cannot_see_or_adjust_a_worker(client, staff_b, shopper):
    client.force_login(staff_b)
    assert client.get(reverse("points:worker", args=[shopper.pk])).status_code == 404
    response = client.post(
        reverse("points:adjust", args=[shopper.pk]), {"amount": 10, "reason": "补录"}
    )
    assert response.status_code == 404
    assert balance(shopper) == 100


def test_the_worker_page_reads_a_bounded_number_of_rows(
    client, staff_a, shopper, django_assert_max_num_queries
):
    for number in range(60):
        award(shopper, 1, EntryKind.GRID_DUTY, note=f"巡查 {number}", by=staff_a)
    client.force_login(staff_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("points:worker", args=[shopper.pk]))
    assert len(response.context["page"].object_list) == 50


def test_verify_points_finds_every_balance_equal_to_its_ledger(shopper, capsys):
    award(WorkerFactory(area=shopper.area), 7, EntryKind.GRID_DUTY)
    call_command("verify_points")
    assert "Every balance equals the sum of its ledger." in capsys.readouterr().out


def test_verify_points_reports_a_tampered_balance(shopper, capsys):
    untouched = WorkerFactory(area=shopper.area)
    award(untouched, 7, EntryKind.GRID_DUTY)
    Account.objects.filter(worker=shopper).update(balance=130)
    with pytest.raises(CommandError, match="1 balance"):
        call_command("verify_points")
    assert capsys.readouterr().out.splitlines() == [
        f"worker {shopper.pk}: balance 130, ledger 100, difference +30"
    ]


def test_verify_points_reports_entries_without_an_account(shopper, capsys):
    Account.objects.filter(worker=shopper).delete()
    with pytest.raises(CommandError):
        call_command("verify_points")
    assert f"worker {shopper.pk}: balance 0, ledger 100, difference -100" in capsys.readouterr().out
