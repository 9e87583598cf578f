import pytest


@pytest.fixture
def english(client, settings):
    """A client that reads the pages in English, the msgids these tests assert."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def tasks_run_in_process(request):
    """The QR codes are made while the test waits; a `services` test sends them to a worker."""
    if not request.node.get_closest_marker("services"):
        request.getfixturevalue("eager_tasks")
