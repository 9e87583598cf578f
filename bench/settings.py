"""Settings for benchmark runs: the portal's own, with bench/urls.py as the URL configuration."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
