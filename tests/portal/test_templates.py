"""How the templates are laid out: a rider's page extends the rider base, a staff page the staff
base, and neither builds its own header; a partial is named `_name.html` beside the templates
that include it (the shared ones beside base.html) and extends nothing."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# The pages a rider (or a merchant checking a work card) opens. A new rider page goes here.
RIDER_TEMPLATES = [
    "429.html",
    "feedback/honeypot.html",
    "feedback/suggest.html",
    "feedback/support.html",
    "feedback/track.html",
    "feedback/track_lookup.html",
    "feedback/unknown_code.html",
    "points/activities_public.html",
    "points/activity_cancel.html",
    "points/activity_public.html",
    "points/activity_scan.html",
    "points/card.html",
    "points/certificate_verify.html",
    "points/me.html",
    "points/redeem_confirm.html",
    "points/redeemed.html",
    "points/redeemed_cancel.html",
    "points/shop.html",
    "points/station_leaderboard.html",
    "points/verify.html",
    "portal/choose_community.html",
    "portal/home.html",
    "registry/apply.html",
    "registry/register.html",
    "registry/register_code.html",
    "registry/registered.html",
    "registry/sign_in.html",
    "registry/sign_in_code.html",
    "registry/withdraw.html",
    "registry/withdrawn.html",
    "stations/check_in.html",
    "stations/landing.html",
    "stations/map.html",
    "stations/replaced.html",
    "stations/unknown.html",
]

BASES = ["base.html", "rider/base.html", "rider/light.html", "staff/base.html"]

# Whole documents of their own: the error pages that must render without the database (or
# without a query, after a failed save), and the printed QR poster and volunteer certificate.
STANDALONE = [
    "500.html",
    "points/certificate.html",
    "portal/store_down.html",
    "stations/poster.html",
]

EXTENDS = re.compile(r'\{% extends "([^"]+)" %\}')
INCLUDE = re.compile(r'\{% include "([^"]+)"')


def template_names():
    return sorted(path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html"))


def source(name):
    return (TEMPLATES / name).read_text()


def is_partial(name):
    return name.rsplit("/", 1)[-1].startswith("_")


PAGES = [
    name
    for name in template_names()
    if not is_partial(name) and name not in BASES and name not in STANDALONE
]


@pytest.mark.parametrize("name", PAGES)
def test_each_page_extends_the_base_of_its_audience(name):
    found = EXTENDS.match(source(name))
    assert found, "a page extends rider/base.html, rider/light.html or staff/base.html"
    if name in RIDER_TEMPLATES:
        # rider/light.html is the rider base without Bootstrap, for the pages a QR code opens.
        assert found.group(1) in ("rider/base.html", "rider/light.html")
        assert re.search(r"\{% block description %\}.+?\{% endblock %\}", source(name))
    else:
        assert found.group(1) == "staff/base.html"


def test_only_the_audience_bases_fill_the_header():
    for name in template_names():
        if name not in BASES:
            assert "{% block header %}" not in source(name), name


def test_partials_extend_nothing_and_every_include_names_a_partial():
    included = set()
    for name in template_names():
        if is_partial(name):
            assert not EXTENDS.search(source(name)), name
        included.update(INCLUDE.findall(source(name)))
    assert included
    for name in included:
        assert is_partial(name) and (TEMPLATES / name).exists(), name
