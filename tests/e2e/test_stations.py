"""A community staff member adds a station, ticks its standard, sees its QR code and prints its
poster. Fields are found by name, so the test reads the same in either language."""

import re
from importlib import import_module

import pytest
from playwright.sync_api import expect

from stations.models import StandardItem, Station
from stations.tasks import make_qr_codes
from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.test_staff_login import log_in
from tests.factories import PASSWORD, StationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_staff_add_a_station_check_its_standard_and_print_its_poster(
    new_page, tree, staff_a, media, eager_tasks, viewport
):
    # A transactional test empties the tables afterwards, the standard of migration 0002 too.
    for position, item in enumerate(import_module("stations.migrations.0002_standard_items").ITEMS):
        StandardItem.objects.get_or_create(name=item, defaults={"position": position})
    for name, kind in [
        ("建设路党群服务中心", "party_centre"),
        ("平原路户外劳动者驿站", "outdoor_workers"),
    ]:
        make_qr_codes(StationFactory(name=name, kind=kind, area=tree.community_a).pk)
    width = viewport["width"]
    page = new_page(viewport)
    log_in(page, "alice", PASSWORD)
    page.wait_for_url("**/staff/")
    page.goto("/staff/stations/")
    expect(page.get_by_role("link", name="建设路党群服务中心")).to_be_visible()
    screenshot(page, f"stations-list-{width}")

    page.goto("/staff/stations/new/")
    form = page.locator("form.station-form")
    form.locator("[name=name]").fill("老商丘烩面馆")
    form.locator("[name=kind]").select_option("merchant")
    form.locator("[name=address]").fill("建设路18号")
    form.locator("[name=latitude]").fill("34.414212")
    form.locator("[name=longitude]").fill("115.656301")
    form.locator("[name=open_0]").fill("17:00")
    form.locator("[name=close_0]").fill("02:00")
    form.locator("[name=amenities][value=drinking_water]").check()
    form.locator("[name=amenities][value=microwave]").check()
    form.locator("button[type=submit]").click()
    # A merchant without its offer comes back with the message beside the field.
    expect(form.locator("[name=offer].is-invalid")).to_be_visible()
    screenshot(page, f"station-form-{width}")
    form.locator("[name=offer]").fill("小哥套餐 7折")
    form.locator("button[type=submit]").click()

    page.wait_for_url(re.compile(r"/staff/stations/\d+/$"))
    station = Station.objects.get(name="老商丘烩面馆")
    assert station.hours == {"0": [["17:00", "02:00"]]}
    assert page.locator("img.station-qr").evaluate("img => img.naturalWidth") > 0
    items = StandardItem.objects.all()[:6]
    for item in items:
        page.locator(f".station-standard [name=items][value='{item.id}']").check()
    page.locator(".station-standard button[type=submit]").click()
    expect(page.get_by_text("66%").first).to_be_visible()
    screenshot(page, f"station-detail-{width}")

    page.goto(f"/staff/stations/{station.id}/poster/")
    expect(page.get_by_role("heading", name="老商丘烩面馆")).to_be_visible()
    assert page.locator(".poster-qr img").evaluate("img => img.naturalWidth") > 0
    screenshot(page, f"station-poster-{width}")
    page.goto(f"/staff/stations/posters/{tree.community_a.code}/")
    assert page.locator("article.poster").count() == 3
    screenshot(page, f"station-posters-{width}")
    # Printed, each poster fills one A4 page of its own.
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 3
