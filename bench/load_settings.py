"""Settings for `bench.load --limits deployed`: bench/settings.py (the bare view beside the portal)
with the public form's submission limits back at the portal's own values (its defaults, or what
RATE_LIMITS says), instead of lifted."""

from bench.settings import *  # noqa: F403
from portal import settings as deployed

RATE_LIMITS = deployed.RATE_LIMITS
