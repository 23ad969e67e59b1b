# ruff: noqa: E501  (exact expected messages read best on one line)
"""media.store in threadsync.yaml: the contract's keys, located errors, and URLs from bytes."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from threadsync.config import ConfigError, load_config
from threadsync.content import MediaUrlContext, load_project

from .mediakit import png, write

CONTRACT = """
media:
  store: s3
  bucket: my-bucket
  prefix: threadsync/                 # optional
  region: auto                        # optional
  endpoint_url: https://ACCOUNT.r2.cloudflarestorage.com   # optional: R2, MinIO, B2, ...
  public_base_url: https://media.example.com/               # where the bucket's objects are public
"""


def _problems(root: Path, text: str) -> list[str]:
    (root / "threadsync.yaml").write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(None, root)
    return [str(p) for p in info.value.problems]


def test_the_issues_example_is_valid(tmp_path: Path) -> None:
    (tmp_path / "threadsync.yaml").write_text(CONTRACT, encoding="utf-8")
    media = load_config(None, tmp_path).media
    assert (media.store, media.bucket, media.prefix, media.region) == (
        "s3",
        "my-bucket",
        "threadsync/",
        "auto",
    )
    assert media.endpoint_url == "https://ACCOUNT.r2.cloudflarestorage.com"
    assert (
        media.object_url("ab" * 32, "jpeg")
        == f"https://media.example.com/threadsync/{'ab' * 32}.jpg"
    )
    assert not media.pinned_to_commit
    assert media.preflight is None  # on against the real API, off against an emulator


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "media:\n  store: s3\n  public_base_url: https://m.example/\n",
            "threadsync.yaml:2:3: media.store: s3 needs media.bucket (its name)",
        ),
        (
            "media:\n  store: s3\n  bucket: my-bucket\n",
            "threadsync.yaml:2:3: media.store: s3 needs media.public_base_url (where its objects are public)",
        ),
        (
            "media:\n  base_url: 'https://cdn.example/{path}'\n  bucket: my-bucket\n",
            "threadsync.yaml:2:3: media.bucket is used only with store: s3; add 'store: s3' or remove it",
        ),
        (
            "media:\n  store: s3\n  base_url: 'https://cdn.example/{path}'\n  bucket: b-1\n  public_base_url: https://m.example/\n",
            "threadsync.yaml:2:3: media.base_url and media.store: s3 can't go together: with a store, media are served from public_base_url; remove one of them",
        ),
        (
            "media:\n  store: r2\n",
            "threadsync.yaml:2:10: media.store must be one of: s3; got the text 'r2'",
        ),
        (
            "media:\n  store: s3\n  bucket: my-bucket\n  public_base_url: https://key:secret@m.example/\n",
            "threadsync.yaml:4:20: public_base_url holds a user name or password; credentials never go in threadsync.yaml (use AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
        ),
        (
            "media:\n  store: s3\n  bucket: my-bucket\n  public_base_url: ftp://m.example/\n",
            "threadsync.yaml:4:20: public_base_url must be an http(s) URL such as https://media.example.com/, not 'ftp://m.example/'",
        ),
        (
            "media:\n  store: s3\n  bucket: my-bucket\n  public_base_url: https://m.example/?x=1\n",
            "threadsync.yaml:4:20: public_base_url must not have a query (?) or fragment (#)",
        ),
        (
            "media:\n  store: s3\n  bucket: my/bucket\n  public_base_url: https://m.example/\n",
            "threadsync.yaml:3:11: bucket 'my/bucket' is not a bucket name: 3-63 letters, digits, '.', '-' or '_', starting and ending with a letter or digit",
        ),
        (
            "media:\n  store: s3\n  bucket: b-1\n  prefix: ../up/\n  public_base_url: https://m.example/\n",
            "threadsync.yaml:4:11: prefix '../up/' must be a key prefix such as 'threadsync/': letters, digits, '.', '-', '_' and '/' between non-empty names, without a leading '/'",
        ),
        (
            "media:\n  store: s3\n  bucket: b-1\n  region: US East\n  public_base_url: https://m.example/\n",
            "threadsync.yaml:4:11: region 'US East' is not a region name such as 'us-east-1' or 'auto'",
        ),
        (
            "media:\n  store: s3\n  bukcet: b-1\n",
            "threadsync.yaml:3:3: unknown key 'bukcet' in media (did you mean 'bucket'?)",
        ),
        (
            "media:\n  preflight: sometimes\n",
            "threadsync.yaml:2:14: media.preflight must be true or false, not the text 'sometimes'",
        ),
    ],
)
def test_mistakes_are_located(tmp_path: Path, text: str, message: str) -> None:
    assert _problems(tmp_path, text) == [message]


@pytest.mark.parametrize(
    ("field", "url"),
    [
        ("public_base_url", "ftp://AKIDCANARY:SECRETCANARY@m.example/"),  # a bad scheme too
        ("endpoint_url", "https://AKIDCANARY:SECRETCANARY@/"),  # and no host
        ("endpoint_url", "https://AKIDCANARY:SECRETCANARY@[::1/"),  # urlsplit raises on it
        ("base_url", "https://AKIDCANARY:SECRETCANARY@cdn.example/{sha}/{path}"),
    ],
)
def test_a_url_with_credentials_is_refused_without_quoting_them(
    tmp_path: Path, field: str, url: str
) -> None:
    """Whatever else is wrong with it, a URL with a password is refused as such, never echoed."""
    store = "" if field == "base_url" else "  store: s3\n  bucket: b-1\n"
    public = (
        ""
        if field in ("base_url", "public_base_url")
        else "  public_base_url: https://m.example/\n"
    )
    problems = _problems(tmp_path, f"media:\n{store}{public}  {field}: '{url}'\n")
    assert len(problems) == 1
    assert "holds a user name or password; credentials never go in threadsync.yaml" in problems[0]
    assert "CANARY" not in problems[0]


@pytest.mark.parametrize("prefix", ["", "threadsync/", "a/b.c/d-e_f/", "x"])
def test_prefixes(tmp_path: Path, prefix: str) -> None:
    text = f"media: {{store: s3, bucket: b-1, prefix: '{prefix}', public_base_url: 'https://m.example'}}\n"
    (tmp_path / "threadsync.yaml").write_text(text, encoding="utf-8")
    url = load_config(None, tmp_path).media.object_url("0" * 64, "png")
    assert url == f"https://m.example/{prefix}{'0' * 64}.png"


def test_with_a_store_local_media_get_their_url_from_their_bytes(tmp_path: Path) -> None:
    """No base_url, no commit: validate and plan know the URL Threads will fetch."""
    image = png(b"store")
    write(
        tmp_path,
        {
            "threadsync.yaml": CONTRACT,
            "content/a.md": "A picture\n\n![Alt](_media/Photo.PNG)\n",
            "content/_media/Photo.PNG": image,
        },
    )
    content = load_project(tmp_path, load_config(None, tmp_path))  # as validate loads it
    assert [str(p) for p in content.problems] == []
    (item,) = content.posts[0].parts[0].media
    digest = hashlib.sha256(image).hexdigest()
    assert (item.url, item.local_path, item.sha256) == (
        f"https://media.example.com/threadsync/{digest}.png",
        "content/_media/Photo.PNG",
        digest,
    )


def test_moving_media_from_raw_urls_to_a_store_is_not_an_edit(tmp_path: Path) -> None:
    files: dict[str, bytes | str] = {
        "threadsync.yaml": "media: {base_url: 'https://raw.githubusercontent.com/{repo}/{sha}/{path}'}\n",
        "content/a.yaml": "text: Same post\nmedia: [_media/p.png]\n",
        "content/_media/p.png": png(b"p"),
    }
    write(tmp_path, files)
    raw = load_project(
        tmp_path, load_config(None, tmp_path), media_url_context=MediaUrlContext("o/r", "abc")
    ).posts[0]
    write(tmp_path, {"threadsync.yaml": CONTRACT})
    stored = load_project(tmp_path, load_config(None, tmp_path)).posts[0]
    assert raw.parts[0].media[0].url != stored.parts[0].media[0].url
    assert raw.content_hash == stored.content_hash
    write(tmp_path, {"content/_media/p.png": png(b"other bytes")})
    edited = load_project(tmp_path, load_config(None, tmp_path)).posts[0]
    assert edited.content_hash != stored.content_hash


def test_init_shows_every_store_key() -> None:
    import re

    from threadsync import scaffold
    from threadsync.config import MediaConfig

    text = scaffold.read("threadsync.yaml")
    shown = set(re.findall(r"^# *(\w+): ", text, flags=re.M))
    assert set(MediaConfig.model_fields) - {"base_url", "preflight"} <= shown
    assert "#  base_url: " in text and "#  preflight: true" in text


def test_the_json_schema_of_threadsync_yaml_has_the_contract_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from threadsync.cli import main

    assert main(["schema", "--config"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "threadsync.yaml"
    media = schema["$defs"]["MediaConfig"]
    assert media["additionalProperties"] is False
    keys = {"store", "bucket", "prefix", "region", "endpoint_url", "public_base_url", "preflight"}
    assert keys <= set(media["properties"])
    assert media["properties"]["store"]["anyOf"][0] == {"const": "s3", "type": "string"}
