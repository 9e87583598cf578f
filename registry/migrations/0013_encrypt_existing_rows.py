"""Encrypts the ID numbers, party details and import rows already stored, fills the ID numbers'
lookup hash, and takes the values of encrypted fields out of the timeline.

Not atomic: each batch of 10,000 primary keys commits on its own (portal.crypto.reencrypt_table),
so a migration stopped half-way resumes when run again. Reversible: backwards decrypts."""

from django.db import migrations, models

from portal.crypto import reencrypt_table

WORKER_COLUMNS = ["id_number", "party_branch", "membership_held_at"]
MASKED = ["***", "***"]


def id_number_hash(plain: dict) -> dict:
    from registry.models import id_number_hash

    number = plain["id_number"]
    return {"id_number_hash": id_number_hash(number) if number else ""}


def report(table):
    def progress(done, last, changed):
        if done == last or done % 100_000 == 0:
            print(f"\n    {table}: {done:,} of {last:,} ids, {changed:,} rows encrypted", end="")

    return progress


def encrypt(apps, schema_editor):
    reencrypt_table(
        "registry_worker", WORKER_COLUMNS, derived=id_number_hash, progress=report("workers")
    )
    reencrypt_table("registry_importrow", ["values"], progress=report("import rows"))
    WorkerEvent = apps.get_model("registry", "WorkerEvent")
    events = WorkerEvent.objects.filter(
        models.Q(changes__has_key="party_branch") | models.Q(changes__has_key="membership_held_at")
    )
    for event in events.iterator(chunk_size=2000):
        event.changes.update(
            (field, MASKED) for field in WORKER_COLUMNS if field in event.changes
        )
        event.save(update_fields=["changes"])


def decrypt(apps, schema_editor):
    reencrypt_table("registry_worker", WORKER_COLUMNS, to_plain=True)
    reencrypt_table("registry_importrow", ["values"], to_plain=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("registry", "0012_encrypt_sensitive_fields"),
    ]

    operations = [
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AddIndex(
            model_name="worker",
            index=models.Index(
                condition=models.Q(("id_number_hash", ""), _negated=True),
                fields=["id_number_hash"],
                name="worker_id_number_hash",
            ),
        ),
    ]
