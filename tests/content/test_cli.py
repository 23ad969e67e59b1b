# ruff: noqa: E501  (exact expected messages read best on one line)
"""``threadsync validate`` and ``threadsync schema`` through the real CLI entry point."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from threadsync.cli import main
from threadsync.content import PostFile

from .contentkit import png_bytes, write

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "content").mkdir()
    return tmp_path


def test_validate_counts_posts_drafts_and_warnings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project,
        {
            "content/a.yaml": "text: A",
            "content/b.md": "---\ndraft: true\n---\nB",
            "content/c.yaml": "text: " + "c" * 460,
        },
    )
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out == (
        "content/c.yaml:1:7: warning: text is 460 of 500 characters (emoji count as their UTF-8 bytes)\n"
        "3 posts valid (1 draft, 1 warning)\n"
    )


def test_validate_singular_and_empty(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "0 posts valid\n"
    write(project, {"content/a.yaml": "text: A"})
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "1 post valid\n"


def test_validate_errors_exit_1(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project,
        {
            "content/a.yaml": "text: A\nreply_contrl: everyone",
            "content/b.yaml": "text: [B]",
            "content/c.yaml": "text: " + "c" * 460,
        },
    )
    assert main(["validate"]) == 1
    captured = capsys.readouterr()
    assert captured.out == (
        "content/a.yaml:2:1: unknown key 'reply_contrl' in a post (did you mean 'reply_control'?)\n"
        "content/b.yaml:1:7: text must be a string, not a list\n"
        "content/c.yaml:1:7: warning: text is 460 of 500 characters (emoji count as their UTF-8 bytes)\n"
        "2 errors, 1 warning in 3 files\n"  # every file listed above, the warning's too
    )
    assert captured.err == ""


def test_validate_counts_each_file_once(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(
        project,
        {
            "content/a.yaml": "text: A\nbogus: 1\nfoo: 2",
            "content/b.yaml": "text: " + "b" * 460,
        },
    )
    assert main(["validate"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "2 errors, 1 warning in 2 files"


def test_validate_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"content/a.yaml": "text: A\nmedia:\n  - image: https://x/a.png\n    alt: 7"})
    assert main(["validate", "--json"]) == 1
    assert json.loads(capsys.readouterr().out) == [
        {
            "path": "content/a.yaml",
            "line": 4,
            "col": 10,
            "severity": "error",
            "field": "media[0].alt",
            "message": "media[0].alt must be a string, not the number 7 (put it in quotes to make it text)",
        }
    ]
    write(project, {"content/a.yaml": "text: A"})
    assert main(["validate", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_validate_content_dir_option(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"posts/x.yaml": "text: [bad]", "content/ok.yaml": "text: ok"})
    assert main(["validate", "--content-dir", "posts"]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith("posts/x.yaml:1:7: ")
    assert main(["validate", "--content-dir", "missing"]) == 1
    assert capsys.readouterr().out == (
        "missing:1:1: content directory 'missing' does not exist; "
        "run 'threadsync init' to start a project here\n1 error in 1 file\n"
    )


def test_validate_config_option_elsewhere(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project,
        {
            "site/threadsync.yaml": "content: posts\nmedia: {base_url: 'https://x/{path}'}\n",
            "site/posts/a.yaml": "text: A\nmedia: [p.png]",
            "site/posts/p.png": png_bytes(),
            "site/posts/b.yaml": "text: 5",
        },
    )
    assert main(["validate", "--config", "site/threadsync.yaml"]) == 1
    assert capsys.readouterr().out == (
        "site/posts/b.yaml:1:7: text must be a string, not the number 5 "
        "(put it in quotes to make it text)\n1 error in 1 file\n"
    )


def test_validate_bad_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(project, {"threadsync.yaml": "timezone: Nowhere\nprune: 1\n"})
    assert main(["validate"]) == 1
    assert capsys.readouterr().out == (
        "threadsync.yaml:1:11: unknown timezone 'Nowhere'; use an IANA name such as "
        "'Europe/Berlin' or 'UTC'\n"
        "threadsync.yaml:2:8: prune must be true or false, not the number 1\n"
        "2 errors in the configuration\n"
    )
    assert main(["validate", "--json"]) == 1
    assert [p["line"] for p in json.loads(capsys.readouterr().out)] == [1, 2]


def test_validate_missing_config_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--config", "nope.yaml"]) == 1
    assert capsys.readouterr().err == "error: config file nope.yaml does not exist\n"


def test_schema_is_json_schema_of_a_post(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "threadsync post"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    props = schema["properties"]
    assert set(props) == set(PostFile.model_fields)
    for field in ("text", "media", "poll", "publish_at", "thread", "on_change", "reply_control"):
        assert props[field]["description"]
    assert props["poll"]["minItems"] == 2 and props["poll"]["maxItems"] == 4
    reply_control = props["reply_control"]["anyOf"][0]
    assert reply_control["enum"] == [
        "everyone",
        "accounts_you_follow",
        "mentioned_only",
        "parent_post_author_only",
        "followers_only",
    ]
    assert props["publish_at"]["anyOf"][0]["format"] == "date-time"
    assert schema["$defs"]["ThreadPart"]["additionalProperties"] is False
    assert "publish_at" not in schema["$defs"]["ThreadPart"]["properties"]


def _descriptions(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [v for k, v in node.items() if k in ("description", "title") and isinstance(v, str)]
        return own + [d for v in node.values() for d in _descriptions(v)]
    if isinstance(node, list):
        return [d for v in node for d in _descriptions(v)]
    return []


def test_schema_descriptions_are_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    """Editors show descriptions as they are: reStructuredText markup would show as noise."""
    assert main(["schema"]) == 0
    descriptions = _descriptions(json.loads(capsys.readouterr().out))
    assert len(descriptions) > 20  # every level of the schema was walked
    marked = [d for d in descriptions if re.search(r"``|`|:[a-z]+:|\*\*", d)]
    assert marked == []


def test_the_repository_example_content_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    shutil.copy(REPO / "threadsync.yaml", tmp_path / "threadsync.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RELEASE_VERSION", raising=False)
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.endswith(" posts valid (1 draft)\n"), out


def test_validate_keeps_its_posts_out_of_the_cyclic_gc(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Built with the GC paused, the posts would all be walked by the first
    # collection after it: the command freezes them instead (a tenth of
    # validating 10,000 posts).
    import gc

    from threadsync.content import loader

    write(project, {f"content/p{i}.yaml": f"text: post {i}" for i in range(20)})
    seen: list[bool] = []
    real = loader.load_project

    def spy(*args: object, **kwargs: object) -> object:
        content = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(gc.isenabled())
        return content

    monkeypatch.setattr("threadsync.content.load_project", spy)
    before = gc.get_freeze_count()
    try:
        assert main(["validate"]) == 0
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
    assert seen == [False]  # and the GC stayed paused until they were frozen
    assert capsys.readouterr().out == "20 posts valid\n"
