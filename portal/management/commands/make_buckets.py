"""Make the object store's two buckets, once, before the portal first stores a file there.

S3_BUCKET, private: no policy, so only the portal's key reads it (photos and survey lists are
sent by views that check who asks). S3_PUBLIC_BUCKET: a policy lets anyone read its files
(s3:GetObject, never listing), since browsers fetch station photos and reward pictures from it.
A bucket that exists is kept; the public bucket's policy is set again each run. Then a file is
written to the private bucket and read back without the key, which must fail.
"""

import json
import urllib.request
from urllib.error import HTTPError

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError


def public_read_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


class Command(BaseCommand):
    help = "Make S3_BUCKET (private) and S3_PUBLIC_BUCKET (read by anyone) on the object store."

    def handle(self, **options):
        if not settings.S3_BUCKET:
            raise CommandError("S3_BUCKET is not set: files are kept on the local disk.")
        for alias in ("default", "public"):
            storage = storages[alias]
            client = storage.connection.meta.client
            try:
                client.head_bucket(Bucket=storage.bucket_name)
                self.stdout.write(f"{storage.bucket_name}: exists")
            except ClientError:
                where = {}
                if settings.S3_REGION != "us-east-1":  # AWS's rule: only other regions are named
                    where["CreateBucketConfiguration"] = {"LocationConstraint": settings.S3_REGION}
                client.create_bucket(Bucket=storage.bucket_name, **where)
                self.stdout.write(f"{storage.bucket_name}: made")
        public = storages["public"]
        public.connection.meta.client.put_bucket_policy(
            Bucket=public.bucket_name, Policy=public_read_policy(public.bucket_name)
        )
        self.stdout.write(f"{public.bucket_name}: anyone may read its files")
        self._check_private(storages["default"])

    def _check_private(self, storage):
        name = storage.save("make-buckets-check.txt", ContentFile(b"private"))
        try:
            address = storage.url(name).split("?", 1)[0]  # the address without its signature
            try:
                urllib.request.urlopen(address, timeout=10)  # noqa: S310  (our store's address)
            except HTTPError as error:
                if error.code in (401, 403):
                    self.stdout.write(f"{storage.bucket_name}: private")
                    return
                raise
            raise CommandError(
                f"{storage.bucket_name} lets anyone read its files: remove its public policy or "
                "ACL, photos and survey lists must not be readable without the portal's key."
            )
        finally:
            storage.delete(name)
