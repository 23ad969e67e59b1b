"""The S3 store against a local S3 server (moto, on 127.0.0.1): keys, one upload, errors."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from s3kit import AWS_SECRET_CANARY, Bucket

from threadsync.config import MediaConfig
from threadsync.content.models import MediaItem
from threadsync.errors import ThreadsyncError
from threadsync.media.preflight import Preflight
from threadsync.media.s3 import S3Store
from threadsync.media.store import LocalFiles, LocalMedia, MediaRefused

from .mediakit import mp4, png, write

JPEG = b"\xff\xd8\xff\xe0" + b"jpeg bytes" * 10


def _config(where: Bucket, **changes: str) -> MediaConfig:
    values = {
        "store": "s3",
        "bucket": where.name,
        "prefix": "threadsync/",
        "region": "us-east-1",
        "endpoint_url": where.endpoint,
        "public_base_url": where.public_base_url,
        **changes,
    }
    return MediaConfig.model_validate(values)


def _item(root: Path, path: str, kind: str = "image") -> MediaItem:
    data = (root / path).read_bytes()
    return MediaItem(kind, None, local_path=path, sha256=hashlib.sha256(data).hexdigest())  # type: ignore[arg-type]


def _upload(store: S3Store, root: Path, item: MediaItem) -> bool:
    files = LocalFiles(root)
    return store.ensure(files.describe(item), lambda: files.copy(item))


def test_a_file_is_uploaded_once_under_its_sha256(tmp_path: Path, bucket: Bucket) -> None:
    write(tmp_path, {"content/_media/photo.JPEG": JPEG})
    item = _item(tmp_path, "content/_media/photo.JPEG")
    store = S3Store.open(_config(bucket))
    assert _upload(store, tmp_path, item) is True
    assert _upload(store, tmp_path, item) is False  # known to this run
    key = f"threadsync/{item.sha256}.jpg"  # named by the bytes, typed by them too
    assert bucket.keys() == [key]
    assert bucket.read(key) == (JPEG, "image/jpeg")
    head = bucket.client.head_object(Bucket=bucket.name, Key=key)
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    # The next run asks the bucket first (a HEAD), and uploads nothing.
    assert _upload(S3Store.open(_config(bucket)), tmp_path, item) is False


def test_the_public_url_is_the_base_plus_the_key(tmp_path: Path, bucket: Bucket) -> None:
    write(tmp_path, {"v.mov.mp4": mp4()})
    item = _item(tmp_path, "v.mov.mp4", "video")
    config = _config(bucket, prefix="")
    assert _upload(S3Store.open(config), tmp_path, item)
    url = config.object_url(item.sha256, "mp4")
    assert url == f"{bucket.public_base_url}{item.sha256}.mp4"
    # What Threads would fetch: the object, public, typed and sized.  (This server refuses
    # an anonymous HEAD, so the preflight's one-byte GET is what answers.)
    assert Preflight().problem(url, "video", len(mp4()), "v.mov.mp4") is None


def test_an_object_of_another_size_under_the_key_is_replaced(
    tmp_path: Path, bucket: Bucket
) -> None:
    write(tmp_path, {"a.png": png(b"real")})
    item = _item(tmp_path, "a.png")
    key = f"threadsync/{item.sha256}.png"
    bucket.client.put_object(Bucket=bucket.name, Key=key, Body=b"truncated")
    assert _upload(S3Store.open(_config(bucket)), tmp_path, item) is True
    assert bucket.read(key) == (png(b"real"), "image/png")


def test_a_file_changed_since_the_plan_is_refused(tmp_path: Path, bucket: Bucket) -> None:
    """Its key names the old bytes: uploading the new ones there would lie for good."""
    write(tmp_path, {"a.png": png(b"planned")})
    item = _item(tmp_path, "a.png")
    write(tmp_path, {"a.png": png(b"edited meanwhile")})
    with pytest.raises(MediaRefused, match=r"^a.png changed while apply ran; run apply again$"):
        _upload(S3Store.open(_config(bucket)), tmp_path, item)
    assert bucket.keys() == []


def test_a_file_rewritten_between_hashing_and_upload_is_not_stored_under_the_old_key(
    tmp_path: Path, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seam: the file is written to (same size, in place) after it was hashed.

    The object must still hold the bytes its key names: what was hashed is sent.
    """
    write(tmp_path, {"a.png": png(b"planned")})
    item = _item(tmp_path, "a.png")
    real_put = S3Store._put

    def put(self: S3Store, key: str, local: LocalMedia, body: BinaryIO) -> None:
        with (tmp_path / "a.png").open("r+b") as fh:  # the same inode, as an editor's save
            fh.write(png(b"REWRITE"))
        real_put(self, key, local, body)

    monkeypatch.setattr(S3Store, "_put", put)
    assert _upload(S3Store.open(_config(bucket)), tmp_path, item) is True
    key = f"threadsync/{item.sha256}.png"
    assert bucket.keys() == [key]
    stored, _ = bucket.read(key)
    assert hashlib.sha256(stored).hexdigest() == item.sha256
    assert (tmp_path / "a.png").read_bytes() != png(b"planned")  # the change did happen


def test_the_upload_reads_a_private_copy_that_is_removed_after(
    tmp_path: Path, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    write(tmp_path, {"v.mp4": mp4()})
    item = _item(tmp_path, "v.mp4", "video")
    files = LocalFiles(tmp_path)
    local = files.describe(item)
    with files.copy(item) as body:
        info = os.fstat(body.fileno())
        assert stat.S_IMODE(info.st_mode) == 0o600
        assert info.st_ino != os.stat(tmp_path / "v.mp4").st_ino  # not the file itself
        assert local.size == info.st_size == len(mp4())
    assert body.closed
    assert S3Store.open(_config(bucket)).ensure(local, lambda: files.copy(item)) is True
    assert list(temp.iterdir()) == []


def test_a_file_the_bucket_holds_is_not_copied_again(
    tmp_path: Path, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second apply (or a file shared by posts) HEADs the key and reads no more than
    the file's first bytes: a 1 GB video is not copied to find it is there."""
    write(tmp_path, {"v.mp4": mp4()})
    item = _item(tmp_path, "v.mp4", "video")
    assert _upload(S3Store.open(_config(bucket)), tmp_path, item) is True
    copies: list[str] = []
    real_copy = LocalFiles.copy
    monkeypatch.setattr(
        LocalFiles, "copy", lambda self, i: copies.append(i.local_path) or real_copy(self, i)
    )
    assert _upload(S3Store.open(_config(bucket)), tmp_path, item) is False
    assert copies == []


def test_a_file_grown_past_the_limit_while_copied_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It grows after its size was checked: the copy stops one byte past the limit."""
    from threadsync.media import store

    write(tmp_path, {"a.png": png(b"planned")})
    item = _item(tmp_path, "a.png")
    real_open = store.RepoFiles.open

    def open_then_grow(self: store.RepoFiles, *args: Any, **kwargs: Any) -> tuple[int, int]:
        opened = real_open(self, *args, **kwargs)
        with (tmp_path / "a.png").open("ab") as fh:
            fh.truncate(64 * 1024 * 1024 * 1024)  # 64 GiB, sparse
        return opened

    monkeypatch.setattr(store.RepoFiles, "open", open_then_grow)
    refused = pytest.raises(MediaRefused, match=r"^a.png changed while apply ran; run apply again$")
    with refused, LocalFiles(tmp_path).copy(item):
        pass


def test_the_copy_stops_one_byte_past_the_limit() -> None:
    from threadsync.media.store import _copy

    copy = io.BytesIO()
    digest, size, head = _copy(io.BytesIO(b"x" * 100), copy, limit=20)
    assert (size, copy.getvalue(), head) == (21, b"x" * 21, b"x" * 16)
    assert digest == hashlib.sha256(b"x" * 21).hexdigest()


def test_a_file_grown_past_the_limit_since_the_plan_is_refused_unread(
    tmp_path: Path, bucket: Bucket
) -> None:
    """A file swapped for a huge one after validation is not hashed to its end."""
    write(tmp_path, {"a.png": png(b"planned")})
    item = _item(tmp_path, "a.png")
    with (tmp_path / "a.png").open("r+b") as fh:
        fh.truncate(64 * 1024 * 1024 * 1024)  # 64 GiB, sparse: hashing it would take minutes
    with pytest.raises(
        MediaRefused, match=r"^media file a.png: 65536.0 MB; a file here may be at most 8.0 MB$"
    ):
        _upload(S3Store.open(_config(bucket)), tmp_path, item)
    assert bucket.keys() == []


def test_a_missing_bucket_is_one_line_without_secrets(tmp_path: Path, bucket: Bucket) -> None:
    write(tmp_path, {"a.png": png()})
    item = _item(tmp_path, "a.png")
    store = S3Store.open(_config(bucket, bucket="no-such-bucket"))
    with pytest.raises(MediaRefused) as info:
        _upload(store, tmp_path, item)
    message = str(info.value)
    assert message == (
        f"uploading a.png as s3://no-such-bucket/threadsync/{item.sha256}.png failed: "
        "NoSuchBucket (HTTP 404)"
    )
    assert AWS_SECRET_CANARY not in message and "testing-key-id" not in message


def test_an_unreachable_endpoint(tmp_path: Path, bucket: Bucket) -> None:
    write(tmp_path, {"a.png": png()})
    store = S3Store.open(_config(bucket, endpoint_url="http://127.0.0.1:9"))
    with pytest.raises(MediaRefused, match=r"failed: the bucket's endpoint can't be reached$"):
        _upload(store, tmp_path, _item(tmp_path, "a.png"))


def test_without_credentials_one_clear_error(
    bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(ThreadsyncError) as info:
        S3Store.open(_config(bucket))
    assert str(info.value) == (
        f"no credentials for media bucket {bucket.name}: set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY (in GitHub Actions, from secrets), or AWS_PROFILE, "
        "or give the runner a role"
    )


def test_a_profile_that_does_not_exist(bucket: Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nobody")
    with pytest.raises(ThreadsyncError, match="can't be read \\(ProfileNotFound\\); check"):
        S3Store.open(_config(bucket))


def test_without_boto3_one_clear_error(bucket: Bucket, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # an import of it fails, as if not installed
    with pytest.raises(ThreadsyncError) as info:
        S3Store.open(_config(bucket))
    assert str(info.value) == (
        "media.store: s3 needs boto3, which comes with the s3 extra: pip install 'threadsync[s3]'"
    )


@pytest.mark.parametrize(
    "name", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
)
def test_aws_credentials_are_redacted_and_unreadable_by_templates(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from threadsync.config import ConfigError, load_config
    from threadsync.secrets import redact

    monkeypatch.setenv(name, AWS_SECRET_CANARY)
    assert redact(f"boto3 said {AWS_SECRET_CANARY}") == "boto3 said [REDACTED]"
    (tmp_path / "threadsync.yaml").write_text(f"env: [{name}]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{name} holds a secret; templates may not read it"):
        load_config(None, tmp_path)
