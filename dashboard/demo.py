"""`seed_demo`: count the demo rows the other apps made, so the dashboard has figures at once."""

from dashboard import refresh
from dashboard.forms import MAX_PERIOD_DAYS


def seed(sender, stdout, **kwargs):
    # The longest period the page shows, in one refresh (the demo city is small).
    done = refresh.refresh_recent(MAX_PERIOD_DAYS)
    stdout.write(f"Dashboard: figures counted from {done.first_day} to {done.last_day}.")
