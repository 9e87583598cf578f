"""积分超市: redeeming takes points and stock together, once per confirmation; staff hand rewards
over by the pickup code; a cancellation (by staff, or by the rider until handover) refunds once;
the staff pages and the rider's shop with its confirmation pages."""

from io import BytesIO
from uuid import uuid4

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from points.models import EntryKind, Redemption, Reward
from points.selectors import my_redemptions
from points.services import rewards
from points.services.ledger import award, balance, cause_of
from portal.codes import ALPHABET
from tests.factories import WorkerFactory
from tests.races import race
from tests.riders import sign_in_rider

pytestmark = pytest.mark.django_db


@pytest.fixture
def redemption(shopper, reward_a):
    return rewards.redeem(reward_a, shopper)


def picture(fmt="PNG", size=(40, 40)) -> SimpleUploadedFile:
    content = BytesIO()
    Image.new("RGB", size, "red").save(content, fmt)
    kind = fmt.lower()
    return SimpleUploadedFile(f"reward.{kind}", content.getvalue(), content_type=f"image/{kind}")


# The services


def test_a_redemption_takes_the_points_and_one_of_the_stock(shopper, reward_a):
    redemption = rewards.redeem(reward_a, shopper)
    reward_a.refresh_from_db()
    assert (balance(shopper), reward_a.stock) == (70, 4)
    assert (redemption.state, redemption.points) == ("requested", 30)
    assert len(redemption.pickup_code) == 6
    assert set(redemption.pickup_code) <= set(ALPHABET)
    entry = shopper.points_entries.get(kind=EntryKind.REDEMPTION)
    assert (entry.amount, entry.cause, entry.note) == (-30, cause_of(redemption), "雨伞")


def test_each_redemption_has_its_own_pickup_code(shopper, reward_a):
    codes = {rewards.redeem(reward_a, shopper).pickup_code for _ in range(3)}
    assert len(codes) == 3


def test_it_pays_the_price_of_the_moment_not_of_the_page(shopper, reward_a):
    stale = Reward.objects.get(pk=reward_a.pk)
    Reward.objects.filter(pk=reward_a.pk).update(price=40)
    assert rewards.redeem(stale, shopper).points == 40
    assert balance(shopper) == 60


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"price": 101}, "points", "雨伞 costs 101 points and you have 100."),
        ({"stock": 0}, "stock", "雨伞 is out of stock."),
        ({"active": False}, "inactive", "This reward is no longer on offer."),
    ],
)
def test_a_refused_redemption_says_why_and_takes_nothing(
    shopper, reward_a, change, code, message, settings
):
    settings.LANGUAGE_CODE = "en"
    Reward.objects.filter(pk=reward_a.pk).update(**change)
    reward_a.refresh_from_db()
    with pytest.raises(rewards.RewardError) as refused:
        rewards.redeem(reward_a, shopper)
    assert (refused.value.code, str(refused.value)) == (code, message)
    reward_a.refresh_from_db()
    assert balance(shopper) == 100 and reward_a.stock == change.get("stock", 5)
    assert not Redemption.objects.exists()


def test_a_reward_of_another_community_is_refused(tree, shopper, settings):
    settings.LANGUAGE_CODE = "en"
    other = Reward.objects.create(area=tree.community_b, name="毛巾", price=10, stock=5)
    with pytest.raises(rewards.RewardError) as refused:
        rewards.redeem(other, shopper)
    assert str(refused.value) == "This reward is for riders registered with 平原路社区."
    assert balance(shopper) == 100


def test_a_reward_found_out_of_stock_at_the_last_moment_takes_nothing(shopper, reward_a):
    """The page said 1 left; another rider took it before this one pressed the button."""
    Reward.objects.filter(pk=reward_a.pk).update(stock=0)
    with pytest.raises(rewards.RewardError) as refused:
        rewards.redeem(reward_a, shopper)  # reward_a still says stock 5
    assert refused.value.code == "stock"
    assert balance(shopper) == 100 and not Redemption.objects.exists()


def test_the_stock_never_goes_below_zero_in_the_database(reward_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Reward.objects.filter(pk=reward_a.pk).update(stock=-1)


def test_staff_hand_over_a_reward_once(redemption, staff_a, settings):
    settings.LANGUAGE_CODE = "en"
    rewards.fulfil(redemption, by=staff_a)
    redemption.refresh_from_db()
    assert (redemption.state, redemption.fulfilled_by) == ("fulfilled", staff_a)
    assert redemption.fulfilled_at is not None
    with pytest.raises(rewards.RewardError, match="This reward was handed over on"):
        rewards.fulfil(redemption, by=staff_a)
    with pytest.raises(rewards.RewardError):
        rewards.cancel(redemption, by=staff_a)
    assert balance(redemption.worker) == 70


def test_a_cancellation_refunds_the_points_and_returns_the_stock_once(
    redemption, staff_a, reward_a, settings
):
    settings.LANGUAGE_CODE = "en"
    rewards.cancel(redemption, by=staff_a)
    reward_a.refresh_from_db()
    redemption.refresh_from_db()
    assert (balance(redemption.worker), reward_a.stock) == (100, 5)
    assert (redemption.state, redemption.cancelled_by) == ("cancelled", staff_a)
    refund = redemption.worker.points_entries.get(kind=EntryKind.REFUND)
    assert (refund.amount, refund.cause, refund.recorded_by) == (30, cause_of(redemption), staff_a)
    with pytest.raises(rewards.RewardError, match="was cancelled"):
        rewards.cancel(redemption, by=staff_a)
    with pytest.raises(rewards.RewardError):
        rewards.fulfil(redemption, by=staff_a)
    reward_a.refresh_from_db()
    assert (balance(redemption.worker), reward_a.stock) == (100, 5)
    assert redemption.worker.points_entries.filter(kind=EntryKind.REFUND).count() == 1


def test_the_same_confirmation_sent_twice_redeems_once(shopper, reward_a):
    nonce = uuid4()
    first = rewards.redeem(reward_a, shopper, nonce=nonce)
    again = rewards.redeem(reward_a, shopper, nonce=nonce)
    assert again == first
    reward_a.refresh_from_db()
    assert (balance(shopper), reward_a.stock, Redemption.objects.count()) == (70, 4, 1)
    other = rewards.redeem(reward_a, shopper, nonce=uuid4())  # a new confirmation page
    assert other != first and balance(shopper) == 40


@pytest.mark.parametrize(
    ("price", "refusal"),
    [
        (30, "the unique constraint"),  # points and stock left: the insert is what refuses
        (100, "too few points"),  # the first one spent them all: the checks refuse
    ],
)
def test_a_confirmation_racing_itself_returns_the_first_redemption(
    shopper, reward_a, monkeypatch, price, refusal
):
    """The second tap looked before the first was committed, so found nothing to return."""
    Reward.objects.filter(pk=reward_a.pk).update(price=price)
    reward_a.refresh_from_db()
    nonce = uuid4()
    first = rewards.redeem(reward_a, shopper, nonce=nonce)
    looked_up = rewards._confirmed_with
    looks = []

    def not_yet_committed(worker, key):
        looks.append(key)
        return None if len(looks) == 1 else looked_up(worker, key)

    monkeypatch.setattr(rewards, "_confirmed_with", not_yet_committed)
    assert rewards.redeem(reward_a, shopper, nonce=nonce) == first
    assert len(looks) == 2
    reward_a.refresh_from_db()
    assert (balance(shopper), reward_a.stock) == (100 - price, 4)
    assert shopper.points_entries.filter(kind=EntryKind.REDEMPTION).count() == 1


def test_a_rider_cancels_their_own_redemption_with_a_refund_entry(redemption, reward_a):
    rewards.cancel(redemption)
    redemption.refresh_from_db()
    reward_a.refresh_from_db()
    assert (redemption.state, redemption.cancelled_by) == ("cancelled", None)
    assert redemption.cancelled_at is not None
    assert (balance(redemption.worker), reward_a.stock) == (100, 5)
    refund = redemption.worker.points_entries.get(kind=EntryKind.REFUND)
    assert (refund.amount, refund.cause, refund.recorded_by) == (30, cause_of(redemption), None)
    # The ledger kept the redemption's entry: the refund is a new line beside it.
    assert [e.amount for e in redemption.worker.points_entries.order_by("id")] == [100, -30, 30]


def test_a_reward_handed_over_cannot_be_cancelled(redemption, staff_a, reward_a, settings):
    settings.LANGUAGE_CODE = "en"
    rewards.fulfil(redemption, by=staff_a)
    with pytest.raises(rewards.RewardError, match="it can no longer be cancelled") as refused:
        rewards.cancel(redemption)
    assert refused.value.code == "state"
    with pytest.raises(rewards.RewardError, match="it can no longer be cancelled"):
        rewards.check_can_cancel(Redemption.objects.get(pk=redemption.pk))
    reward_a.refresh_from_db()
    assert (balance(redemption.worker), reward_a.stock) == (70, 4)
    assert not redemption.worker.points_entries.filter(kind=EntryKind.REFUND).exists()


def test_my_redemptions_lists_the_codes_waiting_for_pickup_first(shopper, reward_a, staff_a):
    done = rewards.redeem(reward_a, shopper)
    rewards.fulfil(done, by=staff_a)
    waiting = rewards.redeem(reward_a, shopper)
    context = my_redemptions(shopper)
    assert context == {"waiting": [waiting], "done": [done]}
    html = render_to_string("points/_my_redemptions.html", context)
    assert waiting.pickup_code in html and done.pickup_code not in html


def test_the_riders_page_shows_the_pickup_codes(english, shopper, redemption):
    response = sign_in_rider(english, shopper).get(reverse("points:me"))
    assert "My redemptions" in response.text
    assert redemption.pickup_code in response.text


# The staff pages


def test_staff_see_the_rewards_of_their_scope_only(client, tree, staff_a, staff_b, reward_a):
    Reward.objects.create(area=tree.community_b, name="毛巾", price=10, stock=5)
    client.force_login(staff_a)
    response = client.get(reverse("points:rewards"))
    assert [r.name for r in response.context["page"].object_list] == ["雨伞"]


def test_staff_add_a_reward_with_a_picture(english, tree, staff_a, media):
    english.force_login(staff_a)
    response = english.post(
        reverse("points:reward_add"),
        {
            "name": " 雨伞  ",
            "area": tree.community_a.pk,
            "price": 30,
            "stock": 10,
            "active": "on",
            "picture": picture(),
        },
        follow=True,
    )
    assert "Added 雨伞." in response.text
    reward = Reward.objects.get()
    assert (reward.name, reward.area, reward.price, reward.stock) == (
        "雨伞",
        tree.community_a,
        30,
        10,
    )
    assert reward.picture.name.startswith("rewards/") and reward.picture.name.endswith(".png")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"price": 0}, "Ensure this value is greater than or equal to 1."),
        ({"stock": -1}, "Ensure this value is greater than or equal to 0."),
        ({"picture": picture("GIF")}, "Upload a JPEG, PNG or WebP picture."),
        ({"picture": picture("BMP", (1200, 1200))}, "Upload a JPEG, PNG or WebP picture."),
        (
            {"picture": SimpleUploadedFile("a.jpg", b"not a picture", content_type="image/jpeg")},
            "Upload a valid image.",
        ),
    ],
)
def test_a_reward_with_bad_details_is_not_added(english, tree, staff_a, media, data, message):
    english.force_login(staff_a)
    details = {"name": "雨伞", "area": tree.community_a.pk, "price": 30, "stock": 10, **data}
    response = english.post(reverse("points:reward_add"), details)
    assert response.status_code == 200 and message in response.text
    assert not Reward.objects.exists()


def test_a_picture_over_2_mb_is_refused(english, tree, staff_a, media, monkeypatch):
    from points import reward_forms

    monkeypatch.setattr(reward_forms, "PICTURE_MAX_BYTES", 100)
    english.force_login(staff_a)
    details = {"name": "雨伞", "area": tree.community_a.pk, "price": 30, "stock": 10}
    response = english.post(reverse("points:reward_add"), {**details, "picture": picture()})
    assert "The picture is too large: at most 2 MB." in response.text
    assert not Reward.objects.exists()


def test_staff_cannot_add_a_reward_to_another_community(english, tree, staff_a):
    english.force_login(staff_a)
    details = {"name": "雨伞", "area": tree.community_b.pk, "price": 30, "stock": 10}
    response = english.post(reverse("points:reward_add"), details)
    assert "Select a valid choice." in response.text
    assert not Reward.objects.exists()


def test_editing_adds_to_the_stock_left_now(english, staff_a, reward_a):
    """A rider redeemed one while the form was open: the 5 added count from the 4 left."""
    english.force_login(staff_a)
    Reward.objects.filter(pk=reward_a.pk).update(stock=4)
    details = {"name": "折叠雨伞", "area": reward_a.area_id, "price": 35, "active": "on"}
    response = english.post(
        reverse("points:reward_edit", args=[reward_a.pk]), {**details, "stock_change": 5}
    )
    assert response.status_code == 302
    reward_a.refresh_from_db()
    assert (reward_a.name, reward_a.price, reward_a.stock) == ("折叠雨伞", 35, 9)


def test_taking_more_than_the_stock_is_refused(english, staff_a, reward_a):
    english.force_login(staff_a)
    details = {"name": "折叠雨伞", "area": reward_a.area_id, "price": 35, "active": "on"}
    response = english.post(
        reverse("points:reward_edit", args=[reward_a.pk]), {**details, "stock_change": -6}
    )
    assert "Only 5 left: cannot take 6 from the stock." in response.text
    reward_a.refresh_from_db()
    assert (reward_a.name, reward_a.stock) == ("雨伞", 5)


def test_the_redemptions_filter_by_state(client, staff_a, shopper, reward_a):
    first, second = rewards.redeem(reward_a, shopper), rewards.redeem(reward_a, shopper)
    rewards.fulfil(first, by=staff_a)
    client.force_login(staff_a)
    response = client.get(reverse("points:redemptions"), {"state": "requested"})
    assert list(response.context["page"].object_list) == [second]
    everything = client.get(reverse("points:redemptions"), {"state": "nonsense"})
    assert list(everything.context["page"].object_list) == [second, first]
    assert shopper.mobile not in everything.text and shopper.masked_mobile in everything.text


@pytest.mark.parametrize("rows", [5, 50])
def test_the_staff_lists_read_a_fixed_number_of_queries(
    client, tree, staff_a, rows, django_assert_max_num_queries
):
    for number in range(rows):
        reward = Reward.objects.create(
            area=tree.community_a, name=f"奖品{number}", price=1, stock=1
        )
        worker = WorkerFactory(area=tree.community_a)
        award(worker, 1, EntryKind.GRID_DUTY)
        rewards.redeem(reward, worker)
    client.force_login(staff_a)
    for name in ["points:rewards", "points:redemptions"]:
        with django_assert_max_num_queries(11):
            assert client.get(reverse(name)).status_code == 200


def test_staff_look_up_a_pickup_code_and_hand_the_reward_over(english, staff_a, redemption):
    english.force_login(staff_a)
    typed = f" {redemption.pickup_code[:3].lower()} {redemption.pickup_code[3:]}"
    page = english.get(reverse("points:handover"), {"code": typed})
    assert page.context["redemption"] == redemption
    assert "雨伞" in page.text and redemption.worker.masked_mobile in page.text
    response = english.post(
        reverse("points:handover"), {"code": redemption.pickup_code}, follow=True
    )
    assert "Handed over 雨伞 to 孙悟空." in response.text
    redemption.refresh_from_db()
    assert (redemption.state, redemption.fulfilled_by) == ("fulfilled", staff_a)
    again = english.post(reverse("points:handover"), {"code": redemption.pickup_code}, follow=True)
    assert "This reward was handed over on" in again.text


@pytest.mark.parametrize("code", ["ZZZZZZ", "ABC"])
def test_an_unknown_or_malformed_code_says_so(english, staff_a, redemption, code):
    english.force_login(staff_a)
    page = english.get(reverse("points:handover"), {"code": code})
    assert page.context["redemption"] is None
    assert (
        "No redemption of your communities has this pickup code." in page.text
        or "A pickup code has 6 letters and digits." in page.text
    )


def test_a_code_of_another_community_is_refused(english, staff_b, redemption):
    english.force_login(staff_b)
    page = english.get(reverse("points:handover"), {"code": redemption.pickup_code})
    assert page.context["redemption"] is None
    assert "No redemption of your communities has this pickup code." in page.text
    response = english.post(reverse("points:handover"), {"code": redemption.pickup_code})
    assert response.status_code == 404
    redemption.refresh_from_db()
    assert redemption.state == "requested"


def test_staff_cancel_a_redemption_and_the_points_go_back(english, staff_a, redemption):
    english.force_login(staff_a)
    url = reverse("points:redemption_cancel", args=[redemption.pk])
    response = english.post(url, follow=True)
    assert "Cancelled: 30 points went back to 孙悟空." in response.text
    again = english.post(url, follow=True)
    assert "This redemption was cancelled and its points refunded." in again.text
    assert balance(redemption.worker) == 100


def test_officials_and_other_communities_cannot_cancel(client, official, staff_b, redemption):
    url = reverse("points:redemption_cancel", args=[redemption.pk])
    client.force_login(official)
    assert client.post(url).status_code == 403
    client.force_login(staff_b)
    assert client.post(url).status_code == 404
    assert balance(redemption.worker) == 70


# The rider's shop


def test_visitors_choose_a_community_and_browse_its_shop(english, tree, reward_a):
    chooser = english.get(reverse("points:shop"))
    assert chooser.status_code == 200 and "建设路社区" not in chooser.text
    response = english.get(reverse("points:shop"), {"community": tree.community_a.code})
    assert "雨伞" in response.text and "Sign in to redeem" in response.text
    assert 'action="/shop/redeem/"' not in response.text


def test_a_rider_sees_their_balance_and_what_they_can_afford(english, tree, shopper, reward_a):
    Reward.objects.create(area=tree.community_a, name="保温杯", price=150, stock=3)
    Reward.objects.create(area=tree.community_a, name="旧款", price=10, stock=3, active=False)
    Reward.objects.create(area=tree.community_b, name="毛巾", price=10, stock=3)
    response = sign_in_rider(english, shopper).get(reverse("points:shop"))
    assert "you have <strong>100</strong> points" in response.text
    offered = {reward.name: missing for reward, missing in response.context["rewards"]}
    assert offered == {"雨伞": 0, "保温杯": 50}
    assert "You need 50 more points." in response.text
    assert response.text.count('name="reward"') == 1


def confirmation(client, reward):
    """The confirmation page of the reward, and the form its button sends."""
    page = client.get(reverse("points:redeem"), {"reward": reward.pk})
    assert page.status_code == 200
    return page, {"reward": reward.pk, "nonce": page.context["nonce"]}


def test_the_shops_redeem_button_asks_for_confirmation_first(english, shopper, reward_a):
    client = sign_in_rider(english, shopper)
    shop = client.get(reverse("points:shop")).text
    assert '<form method="get" action="/shop/redeem/">' in shop
    page, _form = confirmation(client, reward_a)
    text = page.text
    assert "Redeem this reward?" in text and "雨伞" in text
    facts = "".join(text.split())
    assert "<dt>Itcosts</dt><dd>30points</dd>" in facts
    assert "<dt>Youhave</dt><dd>100points</dd>" in facts
    assert '<strongdata-testid="balance-after">70points</strong>' in facts
    assert "Confirm redemption" in text and 'href="/shop/"' in text
    # Looking changed nothing.
    reward_a.refresh_from_db()
    assert (balance(shopper), reward_a.stock, Redemption.objects.count()) == (100, 5, 0)


def test_the_confirmation_page_speaks_chinese(client, shopper, reward_a):
    page, _form = confirmation(sign_in_rider(client, shopper), reward_a)
    assert "确定兑换这个商品吗？" in page.text and "确认兑换" in page.text
    assert "兑换后剩余" in page.text


def test_a_rider_confirms_and_sees_the_pickup_code(english, shopper, reward_a):
    client = sign_in_rider(english, shopper)
    _page, form = confirmation(client, reward_a)
    response = client.post(reverse("points:redeem"), form, follow=True)
    redemption = Redemption.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "points:redeemed", args=[redemption.pickup_code]
    )
    assert f'data-testid="pickup-code">{redemption.pickup_code}<' in response.text
    assert "30 points spent; 70 left." in response.text


def test_a_double_tap_on_confirm_redeems_once(english, shopper, reward_a):
    client = sign_in_rider(english, shopper)
    _page, form = confirmation(client, reward_a)
    first = client.post(reverse("points:redeem"), form)
    second = client.post(reverse("points:redeem"), form)
    redemption = Redemption.objects.get()
    pickup_page = reverse("points:redeemed", args=[redemption.pickup_code])
    assert first["Location"] == second["Location"] == pickup_page
    reward_a.refresh_from_db()
    assert (balance(shopper), reward_a.stock) == (70, 4)


def test_each_confirmation_page_is_a_redemption_of_its_own(english, shopper, reward_a):
    client = sign_in_rider(english, shopper)
    for _time in range(2):
        _page, form = confirmation(client, reward_a)
        client.post(reverse("points:redeem"), form)
    assert Redemption.objects.count() == 2 and balance(shopper) == 40


@pytest.mark.parametrize(
    ("asked", "message"),
    [
        ({"reward": "nonsense"}, "This reward is no longer on offer."),
        ({"reward": "999999"}, "This reward is no longer on offer."),
        ({}, "This reward is no longer on offer."),
        ({"reward": "inactive"}, "This reward is no longer on offer."),
        ({"reward": "out of stock"}, "雨伞 is out of stock."),
        ({"reward": "too dear"}, "雨伞 costs 500 points and you have 100."),
        ({"reward": "elsewhere"}, "This reward is for riders registered with 平原路社区."),
    ],
)
def test_a_confirmation_page_that_cannot_be_goes_back_to_the_shop_with_the_reason(
    english, tree, shopper, reward_a, asked, message
):
    changes = {
        "inactive": {"active": False},
        "out of stock": {"stock": 0},
        "too dear": {"price": 500},
        "elsewhere": {"area": tree.community_b},
    }
    if asked.get("reward") in changes:
        Reward.objects.filter(pk=reward_a.pk).update(**changes[asked["reward"]])
        asked = {"reward": reward_a.pk}
    client = sign_in_rider(english, shopper)
    response = client.get(reverse("points:redeem"), asked, follow=True)
    assert response.redirect_chain[-1][0] == reverse("points:shop")
    assert message in response.text
    assert balance(shopper) == 100 and not Redemption.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stock": 0}, "雨伞 is out of stock."),
        ({"price": 500}, "雨伞 costs 500 points and you have 100."),
        ({"active": False}, "This reward is no longer on offer."),
    ],
)
def test_what_changed_while_the_confirmation_page_was_open_refuses_with_the_reason(
    english, shopper, reward_a, change, message
):
    client = sign_in_rider(english, shopper)
    _page, form = confirmation(client, reward_a)
    Reward.objects.filter(pk=reward_a.pk).update(**change)
    response = client.post(reverse("points:redeem"), form, follow=True)
    assert response.redirect_chain[-1][0] == reverse("points:shop")
    assert message in response.text
    assert balance(shopper) == 100 and not Redemption.objects.exists()


@pytest.mark.parametrize("nonce", [None, "", "not-a-key"])
def test_a_redemption_without_the_confirmation_pages_key_is_refused(
    english, shopper, reward_a, nonce
):
    form = {"reward": reward_a.pk} | ({} if nonce is None else {"nonce": nonce})
    response = sign_in_rider(english, shopper).post(reverse("points:redeem"), form, follow=True)
    assert "Tap Redeem on the reward first, then confirm." in response.text
    assert balance(shopper) == 100 and not Redemption.objects.exists()


def test_redeeming_needs_a_signed_in_rider(client, reward_a):
    response = client.post(reverse("points:redeem"), {"reward": reward_a.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("registry:sign_in"))
    assert not Redemption.objects.exists()


def test_a_rider_sees_only_their_own_pickup_codes(english, tree, redemption):
    other = WorkerFactory(area=tree.community_a)
    url = reverse("points:redeemed", args=[redemption.pickup_code])
    assert sign_in_rider(english, other).get(url).status_code == 404


# The rider cancels their own redemption


def test_the_pickup_page_offers_to_cancel_only_while_waiting(english, redemption, staff_a):
    client = sign_in_rider(english, redemption.worker)
    url = reverse("points:redeemed", args=[redemption.pickup_code])
    cancel_url = reverse("points:redeemed_cancel", args=[redemption.pickup_code])
    assert f'href="{cancel_url}"' in client.get(url).text
    rewards.fulfil(redemption, by=staff_a)
    assert cancel_url not in client.get(url).text


def test_a_rider_cancels_after_confirming_and_gets_the_points_and_stock_back(
    english, redemption, reward_a
):
    client = sign_in_rider(english, redemption.worker)
    url = reverse("points:redeemed_cancel", args=[redemption.pickup_code])
    question = client.get(url)
    assert question.status_code == 200
    facts = "".join(question.text.split())
    assert "Cancelyour雨伞?" in facts
    assert "<dt>Pointsbacktoyou</dt><dd>30points</dd>" in facts
    assert '<strongdata-testid="balance-after">100points</strong>' in facts
    assert "Yes, cancel it" in question.text and "No, keep it" in question.text
    assert balance(redemption.worker) == 70  # asking changed nothing
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "points:redeemed", args=[redemption.pickup_code]
    )
    assert "Cancelled: 30 points went back to you, you now have 100." in response.text
    assert "Cancelled, points refunded" in response.text
    reward_a.refresh_from_db()
    assert (balance(redemption.worker), reward_a.stock) == (100, 5)
    refund = redemption.worker.points_entries.get(kind=EntryKind.REFUND)
    assert (refund.amount, refund.recorded_by) == (30, None)


def test_a_double_tap_on_cancel_refunds_once(english, redemption, reward_a):
    client = sign_in_rider(english, redemption.worker)
    url = reverse("points:redeemed_cancel", args=[redemption.pickup_code])
    client.post(url)
    again = client.post(url, follow=True)
    assert "This redemption was cancelled and its points refunded." in again.text
    reward_a.refresh_from_db()
    assert (balance(redemption.worker), reward_a.stock) == (100, 5)
    assert redemption.worker.points_entries.filter(kind=EntryKind.REFUND).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_rider_cannot_cancel_once_the_reward_is_handed_over(
    english, redemption, reward_a, staff_a, method
):
    rewards.fulfil(redemption, by=staff_a)
    client = sign_in_rider(english, redemption.worker)
    url = reverse("points:redeemed_cancel", args=[redemption.pickup_code])
    response = getattr(client, method)(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "points:redeemed", args=[redemption.pickup_code]
    )
    assert "This reward was handed over on" in response.text
    assert "it can no longer be cancelled." in response.text
    redemption.refresh_from_db()
    reward_a.refresh_from_db()
    assert (redemption.state, balance(redemption.worker), reward_a.stock) == ("fulfilled", 70, 4)


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_riders_redemption_cannot_be_seen_or_cancelled(
    english, tree, redemption, reward_a, method
):
    other = WorkerFactory(area=tree.community_a, status="confirmed")
    url = reverse("points:redeemed_cancel", args=[redemption.pickup_code])
    assert getattr(sign_in_rider(english, other), method)(url).status_code == 404
    redemption.refresh_from_db()
    reward_a.refresh_from_db()
    assert (redemption.state, balance(redemption.worker), reward_a.stock) == ("requested", 70, 4)


def test_cancelling_needs_a_signed_in_rider(client, redemption):
    response = client.post(reverse("points:redeemed_cancel", args=[redemption.pickup_code]))
    assert response["Location"].startswith(reverse("registry:sign_in"))
    redemption.refresh_from_db()
    assert redemption.state == "requested"


# Under load, on PostgreSQL


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("riders", "expected"),
    [
        (6, 10),  # 6 riders who can afford 2 each want 12: the stock of 10 runs out
        (4, 8),  # 4 riders who can afford 2 each: the points run out first, 2 stay in stock
    ],
)
def test_fifty_concurrent_redemptions_take_exactly_what_there_is(tree, riders, expected):
    reward = Reward.objects.create(area=tree.community_a, name="雨伞", price=40, stock=10)
    workers = [WorkerFactory(area=tree.community_a, status="confirmed") for _ in range(riders)]
    for worker in workers:
        award(worker, 90, EntryKind.ACTIVITY)  # two redemptions, and 10 points over
    actions = [
        (lambda worker=workers[number % riders]: rewards.redeem(reward, worker))
        for number in range(50)
    ]
    outcomes = race(actions, refused=rewards.RewardError)
    assert outcomes.count("done") == expected
    assert set(outcomes) <= {"done", "stock", "points"}
    reward.refresh_from_db()
    assert reward.stock == 10 - expected
    assert Redemption.objects.count() == expected
    for worker in workers:
        taken = Redemption.objects.filter(worker=worker).count()
        assert taken <= 2
        assert balance(worker) == 90 - 40 * taken >= 0
    call_command("verify_points")  # raises if any balance differs from its ledger


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_tapped_five_times_at_once_redeems_once(tree):
    reward = Reward.objects.create(area=tree.community_a, name="雨伞", price=40, stock=10)
    worker = WorkerFactory(area=tree.community_a, status="confirmed")
    award(worker, 200, EntryKind.ACTIVITY)
    nonce, made = uuid4(), []
    outcomes = race(
        [lambda: made.append(rewards.redeem(reward, worker, nonce=nonce))] * 5,
        refused=rewards.RewardError,
    )
    assert outcomes == ["done"] * 5
    assert len({redemption.pk for redemption in made}) == 1
    reward.refresh_from_db()
    assert (Redemption.objects.count(), reward.stock, balance(worker)) == (1, 9, 160)
    call_command("verify_points")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_cancellation_and_redemptions_at_once_keep_stock_and_points_right(tree, staff_a):
    reward = Reward.objects.create(area=tree.community_a, name="雨伞", price=40, stock=3)
    worker = WorkerFactory(area=tree.community_a, status="confirmed")
    award(worker, 120, EntryKind.ACTIVITY)
    first = rewards.redeem(reward, worker)
    actions = [lambda: rewards.cancel(first, by=staff_a)] * 3 + [
        lambda: rewards.redeem(reward, worker)
    ] * 5
    race(actions, refused=rewards.RewardError)
    reward.refresh_from_db()
    live = Redemption.objects.filter(state="requested").count()
    assert Redemption.objects.filter(state="cancelled").count() == 1
    assert reward.stock == 3 - live and balance(worker) == 120 - 40 * live
    assert worker.points_entries.filter(kind=EntryKind.REFUND).count() == 1
    call_command("verify_points")
