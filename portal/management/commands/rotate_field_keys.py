"""Bring every encrypted column under the newest key of FIELD_ENCRYPTION_KEYS.

Rotation: put a new key first in FIELD_ENCRYPTION_KEYS, keeping the old ones after it, restart
the portal (it now writes with the new key and reads with all), run this command, then remove
the old keys. Each batch commits on its own; a stopped run, run again, skips the rows already done.
"""

from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management.base import BaseCommand

from portal import crypto
from portal.fields import EncryptedCharField, EncryptedJSONField


def encrypted_columns() -> list[tuple[str, list[str]]]:
    """(table, its encrypted columns) for every model with an encrypted field."""
    tables = []
    for model in apps.get_models():
        columns = [
            field.column
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedCharField | EncryptedJSONField)
        ]
        if columns:
            tables.append((model._meta.db_table, columns))
    return tables


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]
    requires_system_checks = []  # --new-key makes the first key, before the checks can pass

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=10_000, help="ids per transaction")
        parser.add_argument(
            "--new-key", action="store_true", help="print a new key to put first, and stop"
        )

    def handle(self, *args, batch_size, new_key, **options):
        if new_key:
            self.stdout.write(Fernet.generate_key().decode())
            return
        self.stdout.write(f"Newest key: {crypto.current_key_id()}")
        for table, columns in encrypted_columns():

            def progress(done, last, changed, table=table):
                self.stdout.write(f"{table}: ids up to {done:,} of {last:,}, {changed:,} changed")

            changed = crypto.reencrypt_table(
                table, columns, batch_size=batch_size, progress=progress
            )
            self.stdout.write(self.style.SUCCESS(f"{table}: {changed:,} rows re-encrypted"))
