import pytest

from points.models import EntryKind, Reward
from points.services.ledger import award
from tests.factories import WorkerFactory


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
