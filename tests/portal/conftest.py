import pytest
from botocore.config import Config

from tests.webprocess import free_port


@pytest.fixture
def store_down(settings, media):
    """The private storage on an S3 endpoint nobody listens on; the public one stays on disk."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "endpoint_url": f"http://127.0.0.1:{free_port()}",
                "bucket_name": "portal",
                "access_key": "portal",
                "secret_key": "portal-secret",
                "region_name": "us-east-1",
                "file_overwrite": False,
                "client_config": Config(connect_timeout=1, retries={"max_attempts": 1}),
            },
        },
    }
