"""Settings for benchmark runs: the portal's own, with bench/urls.py as the URL configuration."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# bench/suggestion.py posts thousands of suggestions an hour from one address, bench/checkin.py
# thousands of check-ins at one station: the limits are still checked on every post (their cache
# round trip is part of the cost), never reached.
RATE_LIMITS = RATE_LIMITS | dict.fromkeys(  # noqa: F405
    ["suggest:address", "suggest:mobile", "suggest:station", "check-in:station", "check-in:mobile"],
    (10**9, HOUR),  # noqa: F405
)
