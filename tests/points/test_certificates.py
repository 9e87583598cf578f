"""Volunteer service certificates (issue 20, point 3): staff issue one for a rider's hours in a
period and revoke it with a reason; the hours are copied when it is issued; the rider opens their
own from 我的; its QR code opens a public verify page with the name masked."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from points.models import Certificate, SignUp
from points.services import certificates, hours
from points.services.certificates import CertificateError
from tests.factories import ActivityFactory, WorkerFactory
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def served(worker, days_ago, minutes, title="驿站志愿值守", cancelled=False):
    """A past activity of the worker's community that the worker attended for `minutes`."""
    starts = timezone.now() - timedelta(days=days_ago)
    activity = ActivityFactory(
        area=worker.area,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        sign_up_deadline=starts - timedelta(days=1),
    )
    return SignUp.objects.create(
        activity=activity,
        worker=worker,
        attended_at=None if cancelled else starts,
        cancelled_at=starts if cancelled else None,
        signed_in_at=starts,
        signed_out_at=starts + timedelta(minutes=minutes),
        minutes=minutes,
    )


def days_ago(days) -> date:
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def history(rider):
    """孙丽's service: 2 h and 3 h in the last month, 4 h long ago, 1 h in a cancelled place."""
    return [
        served(rider, 20, 120, "夏送清凉"),
        served(rider, 10, 180, "网格巡查"),
        served(rider, 400, 240, "春节值守"),
        served(rider, 5, 60, "取消的活动", cancelled=True),
    ]


@pytest.fixture
def certificate(rider, history, staff_a):
    return certificates.issue(rider, days_ago(30), days_ago(0), by=staff_a)[0]


# Issuing


def test_it_copies_the_hours_and_activities_of_the_period(certificate, rider, staff_a, tree):
    assert certificate.minutes == 300 and certificate.hours == 5.0
    assert [line["title"] for line in certificate.activities] == ["夏送清凉", "网格巡查"]
    assert certificate.activities[0]["minutes"] == 120
    assert certificate.area == tree.community_a and certificate.issued_by == staff_a
    assert len(certificate.serial) == 10 and not certificate.revoked


def test_a_later_correction_of_the_hours_does_not_change_an_issued_certificate(
    certificate, history, staff_a
):
    hours.adjust_hours(history[0], Decimal(8), "补录布置时间", by=staff_a)
    certificate.refresh_from_db()
    assert certificate.minutes == 300 and certificate.activities[0]["minutes"] == 120


def test_issuing_the_same_period_again_finds_the_valid_certificate(certificate, rider, staff_a):
    again, created = certificates.issue(rider, days_ago(30), days_ago(0), by=staff_a)
    assert again == certificate and not created
    assert Certificate.objects.count() == 1


def test_a_revoked_period_can_be_issued_again_with_a_new_serial(certificate, rider, staff_a):
    certificates.revoke(certificate, "时长有误", by=staff_a)
    again, created = certificates.issue(rider, days_ago(30), days_ago(0), by=staff_a)
    assert created and again.serial != certificate.serial


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(5, 10, "period"), (10, -1, "future")],
)
def test_it_refuses_a_period_that_ends_before_it_starts_or_after_today(
    rider, history, staff_a, start, end, code
):
    with pytest.raises(CertificateError) as refused:
        certificates.issue(rider, days_ago(start), days_ago(end), by=staff_a)
    assert refused.value.code == code
    assert not Certificate.objects.exists()


def test_it_refuses_a_period_without_hours(rider, history, staff_a):
    with pytest.raises(CertificateError) as refused:
        certificates.issue(rider, days_ago(9), days_ago(0), by=staff_a)  # only the cancelled one
    assert refused.value.code == "no_hours"


def test_it_refuses_a_worker_whose_details_were_erased(rider, history, staff_a):
    rider.anonymised_at = timezone.now()
    with pytest.raises(CertificateError) as refused:
        certificates.issue(rider, days_ago(30), days_ago(0), by=staff_a)
    assert refused.value.code == "anonymised"


# Revoking


def test_revoking_records_who_when_and_why(certificate, staff_a):
    certificates.revoke(certificate, "  时长有误，已重新开具 ", by=staff_a)
    certificate.refresh_from_db()
    assert certificate.revoked and certificate.revoked_by == staff_a
    assert certificate.revoke_reason == "时长有误，已重新开具"


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_to_revoke_without_a_reason(certificate, staff_a, reason):
    with pytest.raises(CertificateError) as refused:
        certificates.revoke(certificate, reason, by=staff_a)
    assert refused.value.code == "reason"
    certificate.refresh_from_db()
    assert not certificate.revoked


def test_it_refuses_to_revoke_twice(certificate, staff_a, staff_b):
    certificates.revoke(certificate, "时长有误", by=staff_a)
    with pytest.raises(CertificateError) as refused:
        certificates.revoke(certificate, "再次撤销", by=staff_b)
    assert refused.value.code == "revoked"
    certificate.refresh_from_db()
    assert certificate.revoked_by == staff_a and certificate.revoke_reason == "时长有误"


# The staff pages


def test_staff_issue_a_certificate_from_the_worker_page(english, rider, history, staff_a):
    english.force_login(staff_a)
    page = english.get(reverse("registry:worker_detail", args=[rider.pk])).text
    issue_url = reverse("points:certificate_issue", args=[rider.pk])
    assert "Volunteer service certificates" in page and issue_url in page
    response = english.post(
        issue_url, {"period_start": days_ago(30), "period_end": days_ago(0)}, follow=True
    )
    certificate = Certificate.objects.get()
    assert response.redirect_chain[-1][0] == reverse("points:certificate", args=[certificate.pk])
    text = response.text
    assert "孙丽" in text and "建设路社区" in text and "5.0 hours" in text
    assert certificate.serial in text and "data:image/svg+xml;base64," in text
    assert reverse("points:certificate_verify", args=[certificate.serial]) in text


def test_officials_read_certificates_but_see_no_way_to_issue_or_revoke(
    english, certificate, rider, official
):
    english.force_login(official)
    page = english.get(reverse("registry:worker_detail", args=[rider.pk])).text
    assert certificate.serial in page
    assert reverse("points:certificate_issue", args=[rider.pk]) not in page
    printed = english.get(reverse("points:certificate", args=[certificate.pk])).text
    assert reverse("points:certificate_revoke", args=[certificate.pk]) not in printed


def test_the_form_refuses_a_period_that_ends_before_it_starts(english, rider, history, staff_a):
    english.force_login(staff_a)
    response = english.post(
        reverse("points:certificate_issue", args=[rider.pk]),
        {"period_start": days_ago(0), "period_end": days_ago(30)},
    )
    assert response.status_code == 400
    assert "The period cannot end before it starts." in response.text
    assert not Certificate.objects.exists()


def test_the_form_shows_the_services_refusal(english, rider, staff_a):
    english.force_login(staff_a)
    response = english.post(
        reverse("points:certificate_issue", args=[rider.pk]),
        {"period_start": days_ago(30), "period_end": days_ago(0)},
    )
    assert response.status_code == 400
    assert "No hours were counted for this rider in the period." in response.text


def test_staff_of_another_community_cannot_issue_open_or_revoke(
    client, certificate, rider, staff_b
):
    client.force_login(staff_b)
    period = {"period_start": days_ago(30), "period_end": days_ago(0)}
    assert (
        client.post(reverse("points:certificate_issue", args=[rider.pk]), period).status_code == 404
    )
    assert client.get(reverse("points:certificate", args=[certificate.pk])).status_code == 404
    revoke = reverse("points:certificate_revoke", args=[certificate.pk])
    assert client.post(revoke, {"reason": "越权"}).status_code == 404
    certificate.refresh_from_db()
    assert not certificate.revoked


def test_staff_revoke_with_a_reason_and_the_certificate_says_so(english, certificate, staff_a):
    english.force_login(staff_a)
    revoke = reverse("points:certificate_revoke", args=[certificate.pk])
    refused = english.post(revoke, {"reason": "  "})
    assert refused.status_code == 400 and "This field is required." in refused.text
    response = english.post(revoke, {"reason": "时长有误"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoke_reason == "时长有误" and certificate.revoked_by == staff_a
    printed = english.get(reverse("points:certificate", args=[certificate.pk])).text
    assert "Revoked on" in printed and revoke not in printed


def test_the_printed_certificate_lists_twelve_activities_and_counts_the_rest(
    english, rider, staff_a
):
    for n in range(15):
        served(rider, n + 1, 60, f"活动{n:02d}")
    certificate = certificates.issue(rider, days_ago(20), days_ago(0), by=staff_a)[0]
    english.force_login(staff_a)
    text = english.get(reverse("points:certificate", args=[certificate.pk])).text
    assert "活动14" in text and "活动03" in text and "活动02" not in text
    assert "and 3 more activities" in text and "15 volunteer service activities" in text


def test_the_certificate_pages_take_a_fixed_number_of_queries(
    client, rider, history, certificate, staff_a, django_assert_max_num_queries
):
    for n in range(20):
        served(rider, 25, 30, f"活动{n}")
    many = certificates.issue(rider, days_ago(29), days_ago(0), by=staff_a)[0]
    client.force_login(staff_a)
    # Session, user, second factor, area, the certificate with its worker and area, and the
    # staff navigation's badges (four): the same for 2 activities or 22.
    for pk in (certificate.pk, many.pk):
        with django_assert_max_num_queries(9):
            assert client.get(reverse("points:certificate", args=[pk])).status_code == 200
    client.logout()
    # The certificate with its worker and area.
    with django_assert_max_num_queries(1):
        assert (
            client.get(reverse("points:certificate_verify", args=[many.serial])).status_code == 200
        )


# The rider's side


def test_the_rider_opens_their_certificates_from_my_page(english, certificate, rider):
    sign_in_rider(english, rider)
    page = english.get(reverse("points:me")).text
    url = reverse("points:my_certificate", args=[certificate.serial])
    assert "My volunteer service certificates" in page and url in page
    printed = english.get(url)
    assert printed.status_code == 200 and "5.0 hours" in printed.text
    assert reverse("points:certificate_revoke", args=[certificate.pk]) not in printed.text


def test_a_rider_cannot_open_another_riders_certificate(client, certificate, tree):
    other = WorkerFactory(name="王五", area=tree.community_a, status="confirmed")
    sign_in_rider(client, other)
    url = reverse("points:my_certificate", args=[certificate.serial])
    assert client.get(url).status_code == 404


def test_my_page_has_no_certificate_section_without_certificates(english, rider):
    sign_in_rider(english, rider)
    assert "My volunteer service certificates" not in english.get(reverse("points:me")).text


# The public verify page


def test_the_verify_page_shows_a_valid_certificate_with_the_name_masked(english, certificate):
    response = english.get(reverse("points:certificate_verify", args=[certificate.serial]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.text
    assert "Valid certificate" in text and "孙*" in text and "孙丽" not in text
    assert "5.0" in text and days_ago(30).isoformat() in text and "建设路社区" in text


def test_the_verify_page_says_a_revoked_certificate_is_revoked(english, certificate, staff_a):
    certificates.revoke(certificate, "时长有误", by=staff_a)
    text = english.get(reverse("points:certificate_verify", args=[certificate.serial])).text
    assert "This certificate was revoked" in text and "Valid certificate" not in text
    assert "时长有误" not in text  # the reason is the community's, not the public's


def test_the_verify_page_reads_the_serial_as_typed(english, certificate):
    typed = f"{certificate.serial[:5].lower()}-{certificate.serial[5:]}"
    response = english.get(reverse("points:certificate_verify", args=[typed]))
    assert response.status_code == 200 and "Valid certificate" in response.text


def test_an_unknown_serial_says_so_with_a_404(english, certificate):
    response = english.get(reverse("points:certificate_verify", args=["ZZZZZZZZZZ"]))
    assert response.status_code == 404
    assert "No such certificate" in response.text and "no-store" in response["Cache-Control"]
