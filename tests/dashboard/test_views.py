"""The dashboard page and its export: who sees which area, the period picker, the workbook."""

from collections import Counter
from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboard import refresh
from dashboard.models import Refresh
from portal.models import Role
from tests.factories import UserFactory, WorkerFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:summary")
EXPORT = reverse("dashboard:export")


def test_an_official_sees_their_district_by_street(english, counted, official):
    english.force_login(official)
    response = english.get(URL)
    assert response.status_code == 200
    assert response.context["dashboard"].area.name == "梁园区"
    assert [child.name for child in response.context["dashboard"].children] == ["平原街道"]
    assert "梁园区: summary" in response.text
    # Each child links one level down, keeping the period.
    assert "?area=411402001&amp;start=" in response.text


def test_drilling_down_and_back_up(english, counted, tree, official):
    english.force_login(official)
    response = english.get(URL, {"area": tree.street.code})
    assert [child.name for child in response.context["dashboard"].children] == [
        "建设路社区",
        "平原路社区",
    ]
    # The trail leads back to the official's own area, not above it.
    assert [crumb.name for crumb, _query in response.context["trail"]] == ["梁园区", "平原街道"]
    assert f"?area={tree.district.code}&amp;start=" in response.text
    assert f"?area={tree.city.code}&amp;" not in response.text


def test_an_area_outside_the_scope_is_not_found(english, counted, tree, official, staff_a):
    english.force_login(official)
    assert english.get(URL, {"area": tree.community_c.code}).status_code == 404
    assert english.get(URL, {"area": tree.city.code}).status_code == 404
    assert english.get(EXPORT, {"area": tree.other_district.code}).status_code == 404
    assert english.get(URL, {"area": "no such code"}).status_code == 404
    assert english.get(URL, {"area": "411402\x00"}).status_code == 404  # never reaches the database
    english.force_login(staff_a)
    assert english.get(URL, {"area": tree.community_b.code}).status_code == 404
    assert english.get(URL, {"area": tree.street.code}).status_code == 404


def test_community_staff_see_their_community_only(english, counted, tree, staff_a):
    english.force_login(staff_a)
    response = english.get(URL)
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard.area == tree.community_a
    assert dashboard.children == []
    assert dashboard.total.registered() == 5


def test_an_administrator_without_an_area_sees_the_top_areas(english, counted, administrator):
    english.force_login(administrator)
    dashboard = english.get(URL).context["dashboard"]
    assert dashboard.area is None
    assert [child.name for child in dashboard.children] == ["商丘市"]
    assert dashboard.total.registered() == 7
    assert english.get(EXPORT).status_code == 200


def test_department_handlers_and_strangers_are_kept_out(client, counted, handler):
    assert client.get(URL).status_code == 302
    client.force_login(handler)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_period_picker_changes_the_period_figures_only(english, counted, tree, official):
    english.force_login(official)
    old = counted.old_period
    response = english.get(URL, {"start": old.start, "end": old.end})
    dashboard = response.context["dashboard"]
    assert dashboard.period == old
    assert dashboard.total.total(dashboard.total.period, "registered") == 1
    assert dashboard.total.registered() == 6
    assert response.context["form"].is_valid()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-05-01", "end": "2026-04-01"}, "The period must start before it ends."),
        ({"start": "2026-05-01", "end": "2999-01-01"}, "The period cannot end after today."),
        ({"start": "2016-01-01", "end": "2026-01-01"}, "Choose a period of at most three years."),
        ({"start": "yesterday", "end": "2026-01-01"}, "Enter a valid date."),
        ({"start": "2026-01-01"}, "This field is required."),
        ({"start": "<script>alert(1)</script>", "end": "x" * 5000}, "Enter a valid date."),
    ],
)
def test_a_period_that_makes_no_sense_is_explained_and_this_month_shown(
    english, counted, official, params, message
):
    english.force_login(official)
    response = english.get(URL, params)
    assert response.status_code == 200
    assert message in response.text
    assert "<script>alert(1)</script>" not in response.text
    today = timezone.localdate()
    assert response.context["dashboard"].period.start == today.replace(day=1)
    assert response.context["dashboard"].period.end == today


def test_presets_offer_the_usual_reporting_periods(english, counted, official):
    english.force_login(official)
    response = english.get(URL)
    labels = [str(label) for label, _query, _current in response.context["presets"]]
    assert labels == [
        "This week",
        "This month",
        "Last month",
        "This quarter",
        "This year",
        "Last 12 months",
    ]
    current = [str(label) for label, _query, now in response.context["presets"] if now]
    assert "This month" in current


def test_the_page_shows_charts_of_the_period_with_data_tables(english, counted, official):
    english.force_login(official)
    text = english.get(URL).text
    days = counted.today.day  # this month so far, a bar a day
    assert text.count('<svg class="dashboard-svg"') == 4
    assert text.count('<rect class="chart-bar"') == 4 * days
    assert text.count("<summary>Data table</summary>") == 4
    start = counted.today.replace(day=1)
    assert (
        f"Registrations per day from {start:%Y-%m-%d} to {counted.today:%Y-%m-%d}, 6 in all" in text
    )
    assert "<script>" not in text.split("</main>")[0]  # no inline script anywhere (CSP)
    # A year: a bar a week.
    year = english.get(URL, {"start": counted.today - timedelta(days=364), "end": counted.today})
    assert "Registrations per week from" in year.text
    assert year.text.count('<rect class="chart-bar"') in (4 * 53, 4 * 54)


def sheet_rows(workbook, title):
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def test_the_export_has_a_sheet_per_section_with_the_pages_figures(
    english, counted, tree, official
):
    english.force_login(official)
    old = counted.old_period
    params = {"area": tree.street.code, "start": old.start, "end": old.end}
    response = english.get(EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="dashboard-{tree.street.code}-{old.start:%Y%m%d}-'
        f'{old.end:%Y%m%d}.xlsx"'
    )
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == [
        "Overview",
        "Workers",
        "Occupations",
        "Platforms",
        "Party members",
        "Coverage",
        "Care visits",
        "Stations",
        "Station kinds",
        "Check-ins by kind",
        "Suggestion loop",
        "Rates",
        "Categories",
        "Suggestion states",
        "Points",
        "Trends",
        "Overdue tasks",
    ]
    overview = dict(row[:2] for row in sheet_rows(book, "Overview"))
    assert overview["Dashboard of"] == "平原街道"
    assert overview["Period from"].date() == old.start
    workers = sheet_rows(book, "Workers")
    assert workers[1] == [
        "Area",
        "Registered",
        "New in the period",
        "Waiting for confirmation",
        "Left or moved away",
    ]
    assert workers[2] == ["建设路社区", 5, 1, 1, 1]
    assert workers[3] == ["平原路社区", 1, 0, 0, 0]
    assert workers[4] == ["Total", 6, 1, 1, 1]
    loop = sheet_rows(book, "Suggestion loop")
    assert loop[4][0] == "Total"
    assert loop[4][5:7] == [1, 5]  # resolved in the period, median days
    assert sheet_rows(book, "Overdue tasks")[1] == ["梁园区市场监管局", 1]
    trends = sheet_rows(book, "Trends")
    assert trends[0][:2] == ["Day", "Registrations"]
    assert len(trends) == 1 + old.days
    assert sum(row[1] for row in trends[1:]) == 1

    # The page, for the same area and period, shows the same numbers.
    page = english.get(URL, params).context
    [page_workers] = [table for table in page["tables"] if table.section.slug == "workers"]
    assert [value for value, _kind in page_workers.total] == workers[4][1:]


def test_an_exported_name_that_looks_like_a_formula_stays_text(english, tree, official):
    from tests.factories import AreaFactory

    AreaFactory(code="411402099", name="=HYPERLINK(1)", level="street", parent=tree.district)
    refresh.refresh_recent(1)
    english.force_login(official)
    book = load_workbook(BytesIO(b"".join(english.get(EXPORT).streaming_content)))
    names = [row[0] for row in sheet_rows(book, "Workers")]
    assert "=HYPERLINK(1)" in names  # as text, by Excel's quote-prefix style (portal.xlsx)


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_data(
    client, counted, tree, official, django_assert_max_num_queries
):
    client.force_login(official)
    with django_assert_max_num_queries(14) as small:
        client.get(URL, {"area": tree.street.code})
    for n in range(30):
        WorkerFactory(area=tree.community_b if n % 2 else tree.community_a)
    for _n in range(5):
        UserFactory(role=Role.COMMUNITY_STAFF, area=tree.community_b)
    refresh.refresh_recent(2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL, {"area": tree.street.code})
    assert response.context["dashboard"].total.registered() == 6 + 30
    # Last month, or three years a bar a week: the same queries.
    last_month_end = counted.today.replace(day=1) - timedelta(days=1)
    for start, end in [
        (last_month_end.replace(day=1), last_month_end),
        (counted.today - timedelta(days=3 * 365), counted.today),
    ]:
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get(URL, {"area": tree.street.code, "start": start, "end": end})


def test_the_export_reads_a_fixed_number_of_queries(
    client, counted, official, django_assert_max_num_queries
):
    client.force_login(official)
    with django_assert_max_num_queries(14):
        b"".join(client.get(EXPORT).streaming_content)


def test_without_a_broker_the_page_recounts_figures_that_are_stale(
    english, tree, official, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    english.force_login(official)
    WorkerFactory(area=tree.community_a)
    assert english.get(URL).context["dashboard"].total.registered() == 1
    assert Refresh.objects.count() == 1
    WorkerFactory(area=tree.community_a)
    # Counted a moment ago: the page shows those figures and their time.
    response = english.get(URL)
    assert response.context["dashboard"].total.registered() == 1
    assert "Figures counted at" in response.text
    Refresh.objects.update(started_at=timezone.now() - timedelta(hours=1))
    assert english.get(URL).context["dashboard"].total.registered() == 2


def test_with_a_broker_stale_figures_are_shown_with_a_warning(english, tree, official, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    english.force_login(official)
    response = english.get(URL)
    assert "The figures have not been counted yet." in response.text
    refresh.refresh_recent(1)
    Refresh.objects.update(started_at=timezone.now() - timedelta(hours=1))
    assert "These figures are older than they should be" in english.get(URL).text
    assert Refresh.objects.count() == 1


def test_last_month_shows_last_months_figures_in_the_cards_charts_and_export(
    english, counted, tree, official
):
    from tests.dashboard.conftest import make_worker

    today = counted.today
    last_month_end = today.replace(day=1) - timedelta(days=1)
    fifteenth = last_month_end.replace(day=15)
    make_worker(tree.community_b, "上月新", created=(today - fifteenth).days)
    # The data set's old registration (40 days ago) falls in last month late in a month.
    old_day = today - timedelta(days=40)
    expected = Counter([fifteenth] + ([old_day] if old_day.month == fifteenth.month else []))
    refresh.rebuild()
    english.force_login(official)
    [preset] = [
        query
        for label, query, _now in english.get(URL).context["presets"]
        if str(label) == "Last month"
    ]
    response = english.get(f"{URL}?{preset}")
    context = response.context
    assert context["dashboard"].period.start == last_month_end.replace(day=1)
    assert context["dashboard"].period.end == last_month_end
    cards = {str(label): value for label, value, _kind in context["headline_period"]}
    assert cards["New registrations"] == expected.total()  # this month: 6
    assert "New this month" not in response.text
    assert f"In the period {last_month_end:%Y-%m-01} to {last_month_end:%Y-%m-%d}" in (
        response.text
    )
    assert "whatever the period" in response.text
    label, chart = context["charts"][0]
    assert str(label) == "Registrations"
    assert len(chart.bars) == last_month_end.day
    assert {bar.start: bar.value for bar in chart.bars if bar.value} == expected
    assert "counted with the community they registered with" in response.text

    book = load_workbook(BytesIO(b"".join(english.get(f"{EXPORT}?{preset}").streaming_content)))
    overview = sheet_rows(book, "Overview")
    assert ["New registrations", expected.total()] in overview
    assert ["Registered workers", 7] in overview
    trends = sheet_rows(book, "Trends")
    assert len(trends) == 1 + last_month_end.day
    assert {row[0].date(): row[1] for row in trends[1:] if row[1]} == expected

    this_month = english.get(URL).context
    cards = {str(label): value for label, value, _kind in this_month["headline_period"]}
    assert cards["New registrations"] == 6
