import pytest

from points.models import EntryKind, Reward
from points.services import award
from tests.factories import WorkerFactory
from tests.riders import sign_in_rider


@pytest.fixture
def rider(tree):
    """A confirmed rider of community A."""
    return WorkerFactory(
        name="孙丽", mobile="13800000009", area=tree.community_a, status="confirmed"
    )


@pytest.fixture
def rider_client(client, rider):
    """A client signed in as `rider` (what the code step leaves in the session)."""
    return sign_in_rider(client, rider)


@pytest.fixture
def english(client, settings):
    """A client that reads the pages in English, the msgids these tests assert."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def shopper(tree):
    """孙悟空, a confirmed rider of community A with 100 points from volunteering."""
    worker = WorkerFactory(name="孙悟空", status="confirmed", area=tree.community_a)
    award(worker, 100, EntryKind.ACTIVITY, note="夏送清凉")
    return worker


@pytest.fixture
def reward_a(tree):
    """An umbrella for 30 points in community A's shop, 5 in stock."""
    return Reward.objects.create(area=tree.community_a, name="雨伞", price=30, stock=5)
