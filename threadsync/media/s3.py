"""An S3-compatible bucket as the media store: AWS S3, Cloudflare R2, MinIO, Backblaze B2.

boto3 is an optional extra (``threadsync[s3]``), imported only when a run has
something to upload.  Credentials come from boto3's own chain
(``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a profile, a role of the
runner); threadsync never reads, prints or stores them.  Every failure is one
line naming the bucket, the key and S3's error code: boto3's exceptions carry
request details, so none of them is shown as it is.
"""

from __future__ import annotations

import threading
from typing import Any, BinaryIO

from threadsync.config import MediaConfig
from threadsync.content.media import object_key
from threadsync.errors import ThreadsyncError
from threadsync.media.store import LocalMedia, MediaRefused, OpenBody

# Content-addressed objects never change, so any cache may keep them for good.
CACHE_CONTROL = "public, max-age=31536000, immutable"


class S3Store:
    """Uploads local files once each (a HEAD first), under ``prefix`` + SHA-256 + suffix."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self._present: set[str] = set()  # keys this run saw in the bucket, or put there
        self._key_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, media: MediaConfig) -> S3Store:
        """A store for ``media`` (``store: s3``); one clear error without boto3 or credentials."""
        assert media.bucket is not None
        try:
            import boto3
            from botocore.config import Config
            from botocore.exceptions import BotoCoreError
        except ImportError:
            raise ThreadsyncError(
                "media.store: s3 needs boto3, which comes with the s3 extra: "
                "pip install 'threadsync[s3]'"
            ) from None
        try:
            session = boto3.session.Session()
            credentials = session.get_credentials()
        except BotoCoreError as exc:
            raise ThreadsyncError(
                f"the credentials for media bucket {media.bucket} can't be read "
                f"({type(exc).__name__}); check AWS_PROFILE and the AWS config files"
            ) from None
        if credentials is None:
            raise ThreadsyncError(
                f"no credentials for media bucket {media.bucket}: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (in GitHub Actions, from secrets), or AWS_PROFILE, "
                "or give the runner a role"
            )
        config = Config(
            connect_timeout=10,
            read_timeout=60,
            retries={"mode": "standard", "max_attempts": 4},
            user_agent_extra="threadsync",
            # Other S3-compatible stores (MinIO in particular) want path-style addresses.
            s3={"addressing_style": "path"} if media.endpoint_url else None,
        )
        client = session.client(
            "s3", region_name=media.region, endpoint_url=media.endpoint_url, config=config
        )
        return cls(client, media.bucket, media.prefix)

    def ensure(self, local: LocalMedia, body: OpenBody) -> bool:
        key = object_key(self.prefix, local.sha256, local.file_type)
        with self._lock:
            if key in self._present:
                return False
            # Two posts with one file, prepared at once: the second waits for the first.
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._present:
                    return False
            uploaded = self._holds(key, local) is not True
            if uploaded:
                with body() as stream:
                    self._put(key, local, stream)
            with self._lock:
                self._present.add(key)
        return uploaded

    def _holds(self, key: str, local: LocalMedia) -> bool | None:
        """True if the bucket has the object; None when it won't say (no read permission)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            status = _status(exc)
            if status == 404:
                return False
            if status == 403:  # a key allowed to write but not to read: upload it anyway
                return None
            raise MediaRefused(self._failed("checking", local, key, exc)) from None
        except BotoCoreError as exc:
            raise MediaRefused(self._failed("checking", local, key, exc)) from None
        # An object of another size under this name was not made from these bytes: replace it.
        return bool(head.get("ContentLength") == local.size)

    def _put(self, key: str, local: LocalMedia, body: BinaryIO) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        # ``body`` is LocalFiles' private copy, whose bytes were hashed into ``key``.  No
        # ChecksumSHA256 is sent for the server to check them again: AWS would refuse other
        # bytes, but not every S3-compatible store (B2, GCS's S3 API) is known to honour or
        # even accept that header, and a refused header would refuse every upload there.
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentLength=local.size,
                ContentType=local.content_type,
                CacheControl=CACHE_CONTROL,
            )
        except (ClientError, BotoCoreError) as exc:
            raise MediaRefused(self._failed("uploading", local, key, exc)) from None

    def _failed(self, doing: str, local: LocalMedia, key: str, exc: Exception) -> str:
        return f"{doing} {local.path} as s3://{self.bucket}/{key} failed: {_reason(exc)}"


def _status(exc: Any) -> int | None:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None


def _reason(exc: Exception) -> str:
    """S3's error code and HTTP status, or the kind of failure: never the request itself."""
    from botocore.exceptions import ClientError, EndpointConnectionError

    if isinstance(exc, ClientError):
        code = str(exc.response.get("Error", {}).get("Code") or "error")[:64]
        status = _status(exc)
        return f"{code} (HTTP {status})" if status else code
    if isinstance(exc, EndpointConnectionError):
        return "the bucket's endpoint can't be reached"
    return type(exc).__name__
