import pytest

from points.riders import SESSION_KEY
from tests import sms
from tests.factories import WorkerFactory


@pytest.fixture
def texts(settings):
    """The text messages sent during the test, as (mobile, text)."""
    settings.SMS_BACKEND = "tests.sms.RecordingBackend"
    sms.outbox.clear()
    return sms.outbox


@pytest.fixture
def rider(tree):
    """A confirmed rider of community A."""
    return WorkerFactory(
        name="孙丽", mobile="13800000009", area=tree.community_a, status="confirmed"
    )


@pytest.fixture
def rider_client(client, rider):
    """A client signed in as `rider` (what the code step leaves in the session)."""
    session = client.session
    session[SESSION_KEY] = rider.pk
    session.save()
    return client
