"""The volunteer service certificate in a real browser (issue 20, point 3): staff issue one from
the worker's page, it prints on exactly one A4 page, its QR code's address says it is valid with
the name masked, and the rider opens it from 我的 on a phone."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from points.models import Certificate, SignUp
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.riders import sign_in_rider_on
from tests.e2e.staff import sign_in
from tests.factories import ActivityFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A page object of a PDF; "/Type /Pages" is the tree that holds them.
PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def served(worker, days_ago, title):
    starts = timezone.now() - timedelta(days=days_ago)
    activity = ActivityFactory(
        area=worker.area,
        title=title,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        sign_up_deadline=starts - timedelta(days=1),
    )
    SignUp.objects.create(activity=activity, worker=worker, attended_at=starts, minutes=150)


def test_staff_issue_a_certificate_that_prints_on_one_a4_page_and_verifies(
    new_page, live_server, tree, staff_a
):
    rider = WorkerFactory(name="孙丽", area=tree.community_a, status="confirmed")
    # More activities than the certificate lists, with the longest titles an activity can have.
    for n in range(15):
        served(rider, n + 1, f"第{n + 1}次 建设路暖心驿站夏送清凉志愿服务与网格巡查" * 3)

    page = new_page()
    sign_in(page, staff_a.username)
    page.goto(reverse("registry:worker_detail", args=[rider.pk]))
    page.get_by_role("link", name=_("Issue a certificate")).click()
    today = timezone.localdate()
    page.locator("#id_period_start").fill((today - timedelta(days=30)).isoformat())
    page.locator("#id_period_end").fill(today.isoformat())
    page.get_by_role("button", name=_("Issue the certificate")).click()
    certificate = Certificate.objects.get()
    page.wait_for_url(f"**{reverse('points:certificate', args=[certificate.pk])}")
    expect(page.locator(".certificate")).to_contain_text("孙丽")
    expect(page.locator(".certificate")).to_contain_text("37.5")
    expect(page.locator(".certificate")).to_contain_text(certificate.serial)
    qr = page.get_by_role("img", name=_("QR code to check this certificate"))
    expect(qr).to_be_visible()
    screenshot(page, "certificate-1280")

    pdf = page.pdf(format="A4", print_background=True)
    assert len(PDF_PAGE.findall(pdf)) == 1
    page.emulate_media(media="print")
    screenshot(page, "certificate-print")
    page.emulate_media(media="screen")

    # What the QR code holds, as printed under it.
    page.goto(page.locator(".certificate-url").inner_text())
    expect(page.get_by_role("heading", name=_("Valid certificate"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("孙*")
    expect(page.locator("main")).not_to_contain_text("孙丽")

    phone = sign_in_rider_on(new_page(PHONE), live_server, rider)
    phone.goto(reverse("points:me"))
    phone.locator(".my-certificates a").click()
    expect(phone.locator(".certificate")).to_contain_text("37.5")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "certificate-360")
