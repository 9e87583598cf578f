"""axe-core on every page: no critical or serious violation on rider pages at 360 px and on staff
pages at 1280 px, error states included; on rider pages, tap targets big enough for a thumb.

The pages come from the permission matrix (tests/test_permissions.py), which fails on an unlisted
URL, so a new page is checked here without anyone remembering to add it: every GET row that some
persona gets as an HTML page, seen by that persona, and every POST row that shows a refused form
again (its error state). A few error states the matrix does not reach (an unknown tracking code, a
wrong password, a 404) are listed below.
"""

import re
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse

import tests.test_permissions as matrix
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The matrix's fixtures (the objects in its URLs), usable here as in its own module.
globals().update(
    {
        name: value
        for name, value in vars(matrix).items()
        if type(value).__name__ == "FixtureFunctionDefinition"
    }
)

RIDERS = ["anonymous", "rider"]
STAFF = ["staff_a", "official", "handler", "administrator"]
SHOWN = (200, 400)  # a page, or a refused form shown again
BLOCKING = {"critical", "serious"}
ACTION_HEIGHT = 44  # buttons, submit inputs and links styled as buttons
LINK_HEIGHT = 24  # every other link


# URLs that answer with a file, an image or data for programs: nothing for axe to read. Every
# other URL must answer with an HTML page (open_page checks it), so a new one is not missed.
NOT_PAGES = {
    "audit_log_export",
    "dashboard:export",
    "export_download",
    "feedback:done_photo",
    "feedback:ledger_export",
    "feedback:photo",
    "feedback:suggestions_export",
    "feedback:tasks_export",
    "feedback:track_photo",
    "healthz",
    "registry:enterprises_export",
    "registry:import_template",
    "registry:mobile_party_members_export",
    "registry:party_members_export",
    "registry:workers_export",
    "stations:map_data",
    "stations:qr_png",
    "stations:qr_svg",
}


def is_page(name):
    return name not in NOT_PAGES and not name.startswith("feedback:open311_")


def shown_to(expected, personas):
    return [persona for persona in personas if expected[persona] in SHOWN]


def pages_from_the_matrix():
    """A page for every row someone is shown: on a phone to the anonymous visitor and to the
    signed-in rider if they are shown it (a refused form once), else on a desktop to the first
    staff persona shown it."""
    seen = set()
    for name, obj, method, expected in matrix.MATRIX:
        if not is_page(name):
            continue
        riders = shown_to(expected, RIDERS)
        personas = riders[: 1 if method == "post" else 2] or shown_to(expected, STAFF)[:1]
        for persona in personas:
            if (name, obj, method, persona) not in seen:
                seen.add((name, obj, method, persona))
                label = "-".join(str(part) for part in (name, obj, method, persona) if part)
                yield label, name, obj, method, {}, persona, expected[persona]


# Error states the matrix does not reach: (label, url name or path, object, method, data,
# persona, status).
ERROR_STATES = [
    ("unknown-tracking-code", "feedback:track", "unknown_code", "get", {}, "anonymous", 404),
    ("tracking-lookup-unknown", "feedback:track_lookup", None, "get", {"code": "ZZZZZZZZ"},
     "anonymous", 200),
    ("unknown-station", "stations:landing", "unknown_code", "get", {}, "anonymous", 404),
    ("unknown-work-card", "points:verify", "unknown_code", "get", {}, "anonymous", 404),
    ("unknown-certificate", "points:certificate_verify", "unknown_code", "get", {}, "anonymous",
     404),
    ("register-refused", "registry:register", None, "post",
     {"community": "411402001001", "mobile": "12"}, "anonymous", 200),
    ("sign-in-bad-mobile", "registry:sign_in", None, "post", {"mobile": "12"}, "anonymous", 200),
    ("sign-in-wrong-code", "registry:sign_in_code", None, "post", {"code": "000000"},
     "anonymous", 200),
    ("check-in-bad-mobile", "stations:check_in", "station_token_a", "post", {"mobile": "1"},
     "anonymous", 200),
    ("login-wrong-password", "login", None, "post", {"username": "alice", "password": "wrong"},
     "anonymous", 200),
    ("rider-not-found", "/nothing-here/", None, "get", {}, "anonymous", 404),
    ("staff-not-found", "/staff/nothing-here/", None, "get", {}, "staff_a", 404),
    ("staff-not-allowed", "registry:workers", None, "get", {}, "handler", 403),
]  # fmt: skip

# What is posted first to reach an error state: (url name, form data).
BEFORE = {"sign-in-wrong-code": [("registry:sign_in", {"mobile": "13800000001"})]}

PAGES = [*pages_from_the_matrix(), *ERROR_STATES]


def viewport(persona):
    return PHONE if persona in RIDERS else DESKTOP


def params(pages):
    return [pytest.param(*page[1:], id=page[0]) for page in pages]


@pytest.fixture
def unknown_code():
    return "ZZZZZZZZ"


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def open_page(new_page, live_server, request, tree, worker_a):
    """The page as the persona sees it in chromium. A POST is sent as the browser's navigation,
    with a CSRF token."""

    def open_as(name, obj, method, data, persona, status):
        url = (
            name
            if name.startswith("/")
            else reverse(name, args=matrix.url_args(request, tree, obj))
        )
        page = new_page(viewport(persona))
        client = Client()
        matrix.sign_in_as(client, request, persona)
        token = "a" * 32
        cookies = {settings.CSRF_COOKIE_NAME: token}
        if settings.SESSION_COOKIE_NAME in client.cookies:
            cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
                settings.SESSION_COOKIE_NAME
            ].value
        page.context.add_cookies(
            [
                {"name": key, "value": value, "url": live_server.url}
                for key, value in cookies.items()
            ]
        )
        for step, form in BEFORE.get(request.node.callspec.id, []):
            page.request.post(reverse(step), form=form, headers={"x-csrftoken": token})
        if method == "post":

            def as_post(route):
                headers = {
                    **route.request.headers,
                    "content-type": "application/x-www-form-urlencoded",
                    "x-csrftoken": token,
                }
                route.continue_(method="POST", headers=headers, post_data=urlencode(data))

            page.route(re.compile(re.escape(live_server.url + url) + "$"), as_post)
        else:
            url += f"?{urlencode(data)}" if data else ""
        response = page.goto(url)
        assert response.status == status
        assert "text/html" in response.headers["content-type"]
        return page

    return open_as


def describe(violations):
    return "\n".join(
        f"{rule['impact']} {rule['id']}: {rule['help']}: "
        + "; ".join(node["html"][:120] for node in rule["nodes"][:3])
        for rule in violations
    )


# Every visible link and control with its rendered height; a link with a border or a background
# of its own is styled as a button, so it is an action.
TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input[type=submit], input[type=button], summary')]
  .filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.right > 0 && box.left < innerWidth
      && getComputedStyle(el).visibility !== 'hidden';
  })
  .map(el => {
    const style = getComputedStyle(el);
    const styled = parseFloat(style.borderTopWidth) > 0 && style.borderTopStyle !== 'none'
      || !/rgba\\(.*, 0\\)|transparent/.test(style.backgroundColor);
    return {action: el.tagName !== 'A' || styled, height: el.getBoundingClientRect().height,
            html: el.outerHTML.slice(0, 120)};
  })"""


def small_targets(page):
    return [
        f"{target['height']:.1f} px: {target['html']}"
        for target in page.evaluate(TARGETS)
        if target["height"] < (ACTION_HEIGHT if target["action"] else LINK_HEIGHT)
    ]


@pytest.mark.parametrize(("name", "obj", "method", "data", "persona", "status"), params(PAGES))
def test_no_serious_violation_and_thumb_sized_targets_for_riders(
    open_page, axe, name, obj, method, data, persona, status
):
    page = open_page(name, obj, method, data, persona, status)
    violations = [
        rule for rule in axe.run(page).response["violations"] if rule["impact"] in BLOCKING
    ]
    assert not violations, describe(violations)
    if persona in RIDERS:
        small = small_targets(page)
        assert not small, "\n".join(small)
