"""A local S3 server (moto in server mode, on 127.0.0.1) and buckets on it, for media tests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

AWS_SECRET_CANARY = "aws-secret-CANARY-0b5e9d"


@contextmanager
def moto_server() -> Iterator[str]:
    """Its endpoint URL; nothing it serves leaves the machine."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass
class Bucket:
    """A bucket on the local S3 server, whose objects anyone may GET (as a public bucket's)."""

    endpoint: str
    name: str
    client: Any

    @classmethod
    def make(cls, endpoint: str) -> Bucket:
        import boto3

        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing-key-id",
            aws_secret_access_key=AWS_SECRET_CANARY,
        )
        name = f"media-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=name)
        statement = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{name}/*",
        }
        policy = {"Version": "2012-10-17", "Statement": [statement]}
        client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
        return cls(endpoint, name, client)

    @property
    def public_base_url(self) -> str:
        return f"{self.endpoint}/{self.name}/"

    def keys(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return sorted(o["Key"] for o in listed)

    def read(self, key: str) -> tuple[bytes, str]:
        """An object's bytes and Content-Type."""
        got = self.client.get_object(Bucket=self.name, Key=key)
        return got["Body"].read(), got["ContentType"]

    def media_config(self, prefix: str = "threadsync/") -> str:
        """The ``media:`` section of threadsync.yaml for this bucket."""
        return (
            "media:\n"
            "  store: s3\n"
            f"  bucket: {self.name}\n"
            f"  prefix: {prefix}\n"
            "  region: us-east-1\n"
            f"  endpoint_url: {self.endpoint}\n"
            f"  public_base_url: {self.public_base_url}\n"
        )


def record_uploads(monkeypatch: Any, then: Callable[[], None] | None = None) -> list[str]:
    """The keys the S3 store uploads, in order (``then`` runs after each upload)."""
    from threadsync.media import s3

    keys: list[str] = []
    real = s3.S3Store._put

    def put(self: s3.S3Store, key: str, *args: Any) -> None:
        real(self, key, *args)
        keys.append(key)
        if then is not None:
            then()

    monkeypatch.setattr(s3.S3Store, "_put", put)
    return keys
