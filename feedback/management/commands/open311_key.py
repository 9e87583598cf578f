"""Open311 API keys from the shell: create one (printed once), revoke one, list them."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feedback import apikeys
from feedback.models import ApiKey
from portal.models import Area


class Command(BaseCommand):
    help = "Create, revoke or list the API keys Open311 clients post requests with."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Make a key; it is printed once, never again.")
        create.add_argument("--name", required=True, help="The client application's name.")
        create.add_argument(
            "--area", required=True, help="Code of the area whose triage queue gets its requests."
        )
        revoke = actions.add_parser("revoke", help="Refuse a key from now on.")
        revoke.add_argument("prefix", help="The first characters of the key, as `list` shows.")
        actions.add_parser("list", help="Every key: prefix, client, area, last use, revoked.")

    def handle(self, *args, action, **options):
        getattr(self, action)(**options)

    def create(self, name, area, **options):
        found = Area.objects.filter(code=area).first()
        if found is None:
            raise CommandError(f"No area with the code {area!r}.")
        key, raw = apikeys.create_key(name.strip(), found)
        self.stdout.write(f"Key {key.prefix}… for {key.name} ({found.code} {found.name}):")
        self.stdout.write(raw)
        self.stdout.write("Copy it now: only its hash is kept.")

    def revoke(self, prefix, **options):
        keys = list(ApiKey.objects.filter(prefix__startswith=prefix, revoked_at__isnull=True))
        if not keys:
            raise CommandError(f"No live key starts with {prefix!r}.")
        if len(keys) > 1:
            raise CommandError(f"{len(keys)} live keys start with {prefix!r}: give more of it.")
        apikeys.revoke(keys[0])
        self.stdout.write(f"Revoked {keys[0]}.")

    def list(self, **options):
        for key in ApiKey.objects.select_related("area").order_by("created_at", "id"):
            used = (
                timezone.localtime(key.last_used_at).isoformat(timespec="minutes")
                if key.last_used_at
                else "never used"
            )
            state = (
                f"revoked {timezone.localtime(key.revoked_at):%Y-%m-%d}"
                if key.revoked_at
                else "live"
            )
            self.stdout.write(
                f"{key.prefix}  {state:<18} {key.area.code:<12} {used:<22} {key.name}"
            )
