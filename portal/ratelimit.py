"""A fixed-window counter in the cache (Redis in production, shared by every web process)."""

import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache


def allow(scope: str, key: str, limit: int, seconds: int) -> bool:
    """Whether one more attempt under `key` fits in `limit` per `seconds` window."""
    bucket = _bucket(scope, key, seconds)
    cache.add(bucket, 0, seconds)
    return cache.incr(bucket) <= limit


def exhausted(scope: str, key: str, limit: int, seconds: int) -> bool:
    """Whether `key` has used up its `limit` in this window, without counting an attempt: for
    limits that count only failures (allow() on each) but must refuse successes too."""
    return cache.get(_bucket(scope, key, seconds), 0) >= limit


def _bucket(scope: str, key: str, seconds: int) -> str:
    return f"ratelimit:{scope}:{key}:{int(time.time() // seconds)}"


def client_address(request) -> str:
    """The client's address, believing proxies exactly as the login lock does (PROXY_COUNT)."""
    return get_client_ip_address(request) or "unknown"
