"""A fixed-window counter in the cache (Redis in production, shared by every web process).

While Redis cannot be reached the limits fail open: the request is let through, with a warning
in the log naming the limit (never its key, which may be a mobile number or an address), so a
rider can still file a suggestion or check in. What must not fail open, the text-message codes
(portal.otp), fails closed instead (portal.outage.RedisOutage).
"""

import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.shortcuts import render
from django.utils.crypto import salted_hmac

from portal.background import REDIS_UNREACHABLE

logger = logging.getLogger(__name__)


def allow(name: str, key: str) -> bool:
    """Whether one more attempt under `key` fits in the limit `name` of settings.RATE_LIMITS
    (attempts per window of seconds); counts the attempt."""
    return allow_all((name, key))


def allow_all(*attempts: tuple[str, str]) -> bool:
    """allow() for several (name, key) at once, each counted, in one round trip to Redis: a
    public form checks two or three limits on every post."""
    buckets = {}
    limits = []
    for name, key in attempts:
        limit, seconds = settings.RATE_LIMITS[name]
        buckets[_bucket(name, key, seconds)] = seconds
        limits.append(limit)
    try:
        counts = _count(buckets)
    except REDIS_UNREACHABLE as error:
        for name, _key in attempts:
            _unchecked(name, error)
        return True
    return all(count <= limit for count, limit in zip(counts, limits, strict=True))


def _count(buckets: dict[str, int]) -> list[int]:
    """Adds one to each bucket, made to expire after its seconds if new, and gives their counts."""
    store = caches["default"]
    if isinstance(store, RedisCache):
        # The cache API takes three round trips a bucket (add, then incr's EXISTS and INCR).
        with store._cache.get_client(write=True).pipeline(transaction=False) as pipe:
            for bucket, seconds in buckets.items():
                key = store.make_and_validate_key(bucket)
                pipe.set(key, 0, ex=seconds, nx=True)
                pipe.incr(key)
            return pipe.execute()[1::2]
    counts = []
    for bucket, seconds in buckets.items():
        store.add(bucket, 0, seconds)
        try:
            counts.append(store.incr(bucket))
        except ValueError:  # evicted or flushed between the two calls
            store.add(bucket, 1, seconds)
            counts.append(1)
    return counts


def exhausted(name: str, key: str) -> bool:
    """Whether `key` has used up the limit `name` in this window, without counting an attempt:
    for limits that count only failures (allow() on each) but must refuse successes too."""
    limit, seconds = settings.RATE_LIMITS[name]
    try:
        return cache.get(_bucket(name, key, seconds), 0) >= limit
    except REDIS_UNREACHABLE as error:
        _unchecked(name, error)
        return False


def _unchecked(name: str, error: Exception) -> None:
    logger.warning("rate limit %s not checked: Redis unreachable (%s)", name, type(error).__name__)


def _bucket(name: str, key: str, seconds: int) -> str:
    # The key may be a mobile number: Redis holds a keyed hash of it, not the number.
    digest = salted_hmac("portal.ratelimit", key).hexdigest()[:32]
    return f"ratelimit:{name}:{digest}:{int(time.time() // seconds)}"


def too_many(request):
    """The polite refusal of a public form past one of its limits: nothing was saved."""
    return render(request, "429.html", status=429)


def client_address(request) -> str:
    """The client's address, for the rate limits' keys."""
    return known_address(request) or "unknown"


def known_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind PROXY_COUNT proxies of our own, and only for a
    request that comes from one of PROXY_ADDRESSES, the address the outermost of them saw: the
    PROXY_COUNT-th from the right of X-Forwarded-For. Addresses further left were written by the
    client and are not believed. The login lock (axes) takes its address from here too; None for
    a request without one (a test's force_login)."""
    remote = request.META.get("REMOTE_ADDR") or None
    if settings.PROXY_COUNT and _from_proxy(remote):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= settings.PROXY_COUNT:
            candidate = forwarded[-settings.PROXY_COUNT].strip()
            if _is_address(candidate):
                return candidate
    return remote


def _from_proxy(address: str) -> bool:
    return "*" in settings.PROXY_ADDRESSES or address in settings.PROXY_ADDRESSES


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
