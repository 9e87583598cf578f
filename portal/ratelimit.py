"""A fixed-window counter in the cache (Redis in production, shared by every web process)."""

import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache


def allow(scope: str, key: str, limit: int, seconds: int) -> bool:
    """Whether one more attempt under `key` fits in `limit` per `seconds` window."""
    bucket = f"ratelimit:{scope}:{key}:{int(time.time() // seconds)}"
    cache.add(bucket, 0, seconds)
    return cache.incr(bucket) <= limit


def client_address(request) -> str:
    """The client's address, believing proxies exactly as the login lock does (PROXY_COUNT)."""
    return get_client_ip_address(request) or "unknown"
