import pytest

from tests.faults.figure import FIGURE


def pytest_terminal_summary(terminalreporter):
    if FIGURE.faults or FIGURE.requests:
        terminalreporter.section("faults")
        for line in FIGURE.lines():
            terminalreporter.write_line(line)


@pytest.fixture
def figure():
    return FIGURE
