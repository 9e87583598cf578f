"""The work card (工作证) and the page its QR code opens: valid, pending, expired or invalid."""

import json
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from points import card
from portal import qr
from registry.models import Worker
from tests.factories import WorkerFactory
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db


@pytest.fixture
def qr_urls(monkeypatch):
    """The URLs put into QR codes during the test."""
    urls, svg = [], qr.svg

    def recording_svg(url):
        urls.append(url)
        return svg(url)

    monkeypatch.setattr("points.views.card.qr.svg", recording_svg)
    return urls


def test_the_card_shows_who_the_rider_is_and_a_fresh_qr_code(rider_client, rider, qr_urls):
    response = rider_client.get(reverse("points:card"))
    text = response.text
    assert "no-store" in response["Cache-Control"]
    assert rider.name in text and rider.get_occupation_display() in text
    assert rider.get_platform_display() in text and rider.area.name in text
    assert '<div class="work-card-photo" aria-hidden="true">孙</div>' in text
    assert 'src="data:image/svg+xml;base64,' in text
    until = timezone.localtime() + timedelta(minutes=10)
    assert until.strftime("%H:%M") in text
    [url] = qr_urls
    assert url.startswith("http://testserver/card/")


def test_the_cards_qr_code_opens_a_page_that_says_it_is_valid_and_whose_it_is(
    rider_client, rider, qr_urls, client
):
    rider_client.get(reverse("points:card"))
    client.logout()
    response = client.get(qr_urls[0])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.text
    assert _("Valid work card") in text
    assert rider.name in text and "138****0009" in text and "13800000009" not in text
    assert rider.get_occupation_display() in text and rider.area.name in text


def test_a_card_is_valid_for_work_card_minutes(rider, client, settings):
    settings.WORK_CARD_MINUTES = 3
    token, until = card.token_for(rider, now=timezone.now() - timedelta(minutes=2))
    assert card.read(token)[0] is card.Check.VALID
    old, _until = card.token_for(rider, now=timezone.now() - timedelta(minutes=4))
    assert card.read(old)[0] is card.Check.EXPIRED


def test_an_expired_code_says_so_and_asks_for_a_reload(rider, client):
    token, _until = card.token_for(rider, now=timezone.now() - timedelta(minutes=11))
    response = client.get(reverse("points:verify", args=[token]))
    assert response.status_code == 410
    assert _("This code has expired") in response.text
    assert _("Ask the rider to reload their work card and show you the new code.") in response.text
    assert rider.name not in response.text and "0009" not in response.text


def later(token):
    """The token with an hour more written into it, its signature kept."""
    payload, signature = token.split(":", 1)
    data = json.loads(signing.b64_decode(payload.encode()))
    data["u"] += 3600
    forged = signing.b64_encode(json.dumps(data, separators=(",", ":")).encode()).decode()
    return f"{forged}:{signature}"


@pytest.mark.parametrize("change", ["tamper", "made up", "longer"])
def test_a_tampered_or_made_up_code_is_invalid(rider, client, change):
    token, _until = card.token_for(rider)
    forged = {
        "tamper": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "made up": "eyJ3IjoxLCJ1Ijo5OTk5OTk5OTk5fQ:1vN:abc",
        "longer": later(token),
    }[change]
    response = client.get(reverse("points:verify", args=[forged]))
    assert response.status_code == 404
    assert _("Not a valid work card") in response.text
    assert rider.name not in response.text


def test_a_card_stops_being_valid_when_consent_is_withdrawn(rider, client):
    token, _until = card.token_for(rider)
    rider.consent_withdrawn_at = timezone.now()
    rider.save()
    response = client.get(reverse("points:verify", args=[token]))
    assert response.status_code == 404
    assert rider.name not in response.text


# What the card and its check say in each state of the registration


def card_of(client, worker):
    return sign_in_rider(client, worker).get(reverse("points:card"))


def test_a_confirmed_riders_card_says_it_is_valid(client, rider):
    text = card_of(client, rider).text
    assert "工作证有效" in text and "待社区确认" not in text
    assert 'src="data:image/svg+xml;base64,' in text


def test_a_pending_riders_card_says_it_waits_for_the_community_and_still_has_a_code(client, tree):
    pending = WorkerFactory(name="周敏", area=tree.community_a, status="pending")
    text = card_of(client, pending).text
    assert "待社区确认" in text and "工作证有效" not in text
    assert "周敏" in text and 'src="data:image/svg+xml;base64,' in text


@pytest.mark.parametrize("status", ["left", "refused"])
def test_a_card_of_a_rider_who_left_or_was_refused_is_not_valid_and_has_no_code(
    client, tree, status
):
    """Any state but confirmed and pending, including ones the registry adds later."""
    worker = WorkerFactory(name="周敏", area=tree.community_a, status=status)
    response = card_of(client, worker)
    assert response.status_code == 200
    text = response.text
    assert "无效" in text and "工作证有效" not in text and "待社区确认" not in text
    assert "data:image/svg+xml" not in text


def test_a_pending_riders_code_shows_the_merchant_the_name_and_that_it_waits(client, tree):
    pending = WorkerFactory(name="周敏", mobile="13900000077", area=tree.community_a)
    token, _until = card.token_for(pending)
    response = client.get(reverse("points:verify", args=[token]))
    assert response.status_code == 200
    text = response.text
    assert "待社区确认" in text and "工作证有效" not in text
    assert "周敏" in text and tree.community_a.name in text
    # No more than a valid card shows, and less: no mobile, occupation or platform.
    assert "0077" not in text and pending.get_platform_display() not in text


@pytest.mark.parametrize("status", ["left", "refused"])
def test_a_code_of_a_rider_no_longer_confirmed_says_invalid_and_names_no_one(client, rider, status):
    token, _until = card.token_for(rider)  # shown while still confirmed
    Worker.objects.filter(pk=rider.pk).update(status=status)
    response = client.get(reverse("points:verify", args=[token]))
    assert response.status_code == 404
    assert "工作证无效" in response.text and "工作证有效" not in response.text
    assert rider.name not in response.text and "0009" not in response.text
    assert rider.area.name not in response.text


def test_a_code_confirmed_after_it_was_shown_reads_as_valid(client, tree):
    pending = WorkerFactory(name="周敏", area=tree.community_a)
    token, _until = card.token_for(pending)
    Worker.objects.filter(pk=pending.pk).update(status="confirmed")
    response = client.get(reverse("points:verify", args=[token]))
    assert response.status_code == 200 and "工作证有效" in response.text
