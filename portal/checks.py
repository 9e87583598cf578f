"""System checks of our own (portal.W…), so a misconfiguration shows at start-up."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_services(app_configs, **kwargs):
    warnings = []
    if not settings.REDIS_URL:
        warnings.append(
            Warning(
                "REDIS_URL is not set: Celery tasks run inside web requests, periodic reminders "
                "never run, and each web process keeps its own cache and rate-limit counters.",
                hint="Set REDIS_URL to a Redis server and run a Celery worker and beat.",
                id="portal.W001",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        warnings.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: QR codes and links in text messages need "
                "the portal's public https address.",
                hint="Set SITE_URL, e.g. https://portal.example.gov.cn",
                id="portal.W002",
            )
        )
    return warnings


@register(Tags.security)
def check_field_encryption_keys(app_configs, **kwargs):
    """Not only with --deploy: migrate (which bin/start-web runs first) stops too, so a portal
    without its keys never starts to write sensitive data it could not read back."""
    errors = []
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: ID numbers and party membership details are "
                "encrypted in the database and can be neither written nor read without it.",
                hint='Set it from the secret store (docs/OPERATIONS.md, "Keys of the '
                'encrypted fields"); a new key: manage.py rotate_field_keys --new-key',
                id="portal.E010",
            )
        )
    if not settings.FIELD_HASH_KEY:
        errors.append(
            Error(
                "FIELD_HASH_KEY is not set: ID numbers cannot be looked up (dedupe).",
                hint="Set it from the secret store: 32 or more random characters, never changed.",
                id="portal.E011",
            )
        )
    return errors


@register(Tags.database)
def check_replica_settings(app_configs, **kwargs):
    """A user's reads stay on the primary after their write for long enough that the replica,
    whenever it is used, already holds that write: it is at most REPLICA_MAX_LAG_SECONDS behind
    when checked, and the check is at most REPLICA_CHECK_SECONDS old (portal.replica)."""
    if not settings.DATABASE_REPLICA_URL:
        return []
    enough = settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS
    after_write = settings.REPLICA_AFTER_WRITE_SECONDS
    if after_write >= enough:
        return []
    return [
        Warning(
            f"REPLICA_AFTER_WRITE_SECONDS is {after_write}: a user may "
            f"read from a replica that does not have their write yet, which may be up to "
            f"{enough} s behind (REPLICA_MAX_LAG_SECONDS plus REPLICA_CHECK_SECONDS).",
            hint=f"Set REPLICA_AFTER_WRITE_SECONDS to {enough} or more.",
            id="portal.W003",
        )
    ]
