"""Settings for benchmark runs: the portal's own, with bench/urls.py as the URL configuration."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# bench/suggestion.py posts thousands of suggestions an hour from one address: the limit is
# still checked on every post (its cache round trip is part of the cost), never reached.
FEEDBACK_SUBMISSIONS_PER_ADDRESS = FEEDBACK_SUBMISSIONS_PER_MOBILE = 10**9
