"""System checks of our own (portal.W…), so a misconfiguration shows at start-up."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


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
