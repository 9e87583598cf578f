"""The "public" storage alias of settings.STORAGES, for file fields whose files browsers may
fetch by URL: station photos, reward pictures, QR codes. Every other file field keeps "default",
the private one (portal.private_files sends those after a check).

Django calls a field's storage callable once, when the model is imported; the migrations name
this function rather than a backend, so the local disk and the object store share them."""

from django.core.files.storage import Storage, storages


def public_storage() -> Storage:
    return storages["public"]
