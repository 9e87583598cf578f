"""Fixtures of the hostile-input tests, and the count of examples each form ran."""

import pytest

from tests.hostile.strategies import OUTCOMES, RUNS


def pytest_terminal_summary(terminalreporter):
    if not RUNS:
        return
    terminalreporter.section("hostile input: examples per form")
    for form, count in sorted(RUNS.items()):
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(OUTCOMES[form].items()))
        terminalreporter.write_line(f"{form:<40} {count:>4}  ({statuses})")
    terminalreporter.write_line(f"{'total':<40} {sum(RUNS.values()):>4}")


@pytest.fixture
def sms(settings):
    """Texts are kept (tests.sms.outbox), never sent."""
    from tests import sms

    settings.SMS_BACKEND = "tests.sms.RecordingBackend"
    sms.outbox.clear()
    return sms
