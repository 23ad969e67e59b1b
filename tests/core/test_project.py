"""project: from what the command line says to one Target per account, and their clients."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from threadsync.emulator import Emulator
from threadsync.errors import ThreadsyncError
from threadsync.project import (
    ApiSettings,
    Target,
    Where,
    api_factory,
    load_content,
    read_content,
    targets,
)

from .conftest import write_content

ACCOUNTS = """\
accounts:
  brand: {}
  personal:
    content: posts/me
    state: states/me.json
    token_env: MY_TOKEN
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project dir as the working directory, with no credentials file anywhere near."""
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv("THREADSYNC_CREDENTIALS", str(tmp_path / "no-credentials.json"))
    return project


def with_accounts(root: Path) -> Where:
    (root / "threadsync.yaml").write_text(ACCOUNTS, encoding="utf-8")
    return Where(config=root / "threadsync.yaml")


def test_the_default_account(root: Path) -> None:
    (target,) = targets(Where(), one="--out saves the plan of one account")
    assert target.root == root
    assert target.account is None and target.name == ""
    assert target.state_path == root / ".threadsync" / "state.json"
    assert target.shown_state() == ".threadsync/state.json"
    assert target.token_env == "THREADS_ACCESS_TOKEN"
    assert target.config.content == "content"


def test_accounts_get_their_defaults_in_name_order(root: Path) -> None:
    brand, personal = targets(with_accounts(root))
    assert (brand.account, personal.account) == ("brand", "personal")
    assert brand.config.content == "content/brand"
    assert brand.state_path == root / ".threadsync" / "brand" / "state.json"
    assert brand.token_env == "THREADS_ACCESS_TOKEN_BRAND"
    assert personal.config.content == "posts/me"
    assert personal.state_path == root / "states" / "me.json"
    assert personal.token_env == "MY_TOKEN"


def test_one_account_by_name(root: Path) -> None:
    (only,) = targets(Where(config=with_accounts(root).config, account="personal"))
    assert only.name == "personal"


def test_an_unknown_account_names_the_known_ones(root: Path) -> None:
    where = Where(config=with_accounts(root).config, account="nobody")
    with pytest.raises(ThreadsyncError, match=r"--account 'nobody' is not in threadsync.yaml"):
        targets(where)
    with pytest.raises(ThreadsyncError, match=r"\(known: brand, personal\)"):
        targets(where)


def test_an_account_without_accounts_is_refused(root: Path) -> None:
    with pytest.raises(ThreadsyncError, match=r"threadsync\.yaml declares no accounts"):
        targets(Where(account="brand"))


def test_one_state_file_for_several_accounts_is_refused(root: Path) -> None:
    config = with_accounts(root).config
    with pytest.raises(ThreadsyncError, match="this runs 2 accounts: add --account NAME"):
        targets(Where(config=config, state=root / "s.json"))
    (only,) = targets(Where(config=config, state=root / "s.json", account="brand"))
    assert only.state_path == root / "s.json"


def test_a_run_of_one_account_refuses_several(root: Path) -> None:
    config = with_accounts(root).config
    with pytest.raises(ThreadsyncError, match=r"^--out saves one; add --account NAME$"):
        targets(Where(config=config), one="--out saves one")
    assert len(targets(Where(config=config, account="brand"), one="--out saves one")) == 1


def test_the_emulator_keeps_state_of_its_own(root: Path) -> None:
    (target,) = targets(Where(emulator=True))
    assert target.state_path == root / ".threadsync" / "emulator" / "state.json"
    assert target.emulator
    brand, personal = targets(Where(config=with_accounts(root).config, emulator=True))
    assert brand.state_path == root / ".threadsync" / "emulator" / "brand" / "state.json"
    assert personal.state_path == root / ".threadsync" / "emulator" / "personal" / "state.json"


def test_options_override_the_settings(root: Path, tmp_path: Path) -> None:
    (root / "posts").mkdir()
    outside = tmp_path / "elsewhere.json"
    (target,) = targets(Where(content_dir="posts", state=outside, token_env="OTHER"))
    assert target.config.content == "posts"
    assert target.state_path == outside
    assert target.shown_state() == str(outside)
    assert target.token_env == "OTHER"


def test_an_invalid_settings_file_lists_its_problems(root: Path) -> None:
    (root / "threadsync.yaml").write_text("limits:\n  max_posts_per_apply: -1\n", "utf-8")
    with pytest.raises(ThreadsyncError) as caught:
        targets(Where())
    message = str(caught.value)
    assert message.startswith("threadsync.yaml is invalid:\n")
    assert "threadsync.yaml:2:" in message and "max_posts_per_apply" in message


def test_held_tokens_are_every_token_this_run_may_use(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", "canary-default")
    monkeypatch.setenv("THREADS_ACCESS_TOKEN_BRAND", "canary-brand")
    monkeypatch.setenv("MY_TOKEN", "canary-personal")
    monkeypatch.setenv("THREADS_APP_SECRET", "   ")  # blank: nothing to hold
    monkeypatch.setenv("EXTRA", "canary-extra")
    stored = tmp_path / "credentials.json"
    stored.write_text(json.dumps({"access_token": "canary-stored"}), encoding="utf-8")
    where = Where(config=with_accounts(root).config, token_env="EXTRA", credentials=stored)
    held = set(targets(where)[0].held_tokens)
    assert held == {
        "canary-default",
        "canary-brand",
        "canary-personal",
        "canary-extra",
        "canary-stored",
    }
    assert "canary" not in repr(targets(where)[0])  # a Target never prints its tokens
    stored.write_text("not json", encoding="utf-8")
    assert "canary-stored" not in targets(where)[0].held_tokens


def test_no_token_is_an_error_only_where_one_is_required(root: Path) -> None:
    (brand, _) = targets(with_accounts(root))
    with pytest.raises(ThreadsyncError) as caught:
        api_factory(brand, ApiSettings(), environ={})
    assert "no access token: set THREADS_ACCESS_TOKEN_BRAND" in str(caught.value)
    assert "threadsync auth login" in str(caught.value)
    assert api_factory(brand, ApiSettings(), required=False, environ={"OTHER": "x"}) is None
    blank = {"THREADS_ACCESS_TOKEN_BRAND": "  "}
    assert api_factory(brand, ApiSettings(), required=False, environ=blank) is None


def test_a_client_from_the_environment_reaches_the_api(root: Path, emu: Emulator) -> None:
    (target,) = targets(Where())
    env = {"THREADS_ACCESS_TOKEN": emu.token, "THREADS_API_URL": emu.url}
    make = api_factory(target, ApiSettings(), environ=env)
    assert make is not None
    with make() as api:
        assert api.get_account().id == emu.user_id
        assert api.user_id == "me"  # asked of /me without THREADS_USER_ID
    with_user = api_factory(target, ApiSettings(), environ={**env, "THREADS_USER_ID": "42"})
    assert with_user is not None and with_user().user_id == "42"


def test_the_emulators_own_settings_win(root: Path, emu: Emulator) -> None:
    (target,) = targets(Where(emulator=True))
    settings = ApiSettings().with_emulator(emu.url, emu.token, emu.user_id)
    env = {"THREADS_API_URL": "http://127.0.0.1:9", "THREADS_USER_ID": "42"}
    make = api_factory(target, settings, environ=env)
    assert make is not None
    with make() as api:
        assert api.user_id == emu.user_id
        assert api.get_account().username == emu.username
    assert emu.token not in repr(settings)


def test_content_with_errors_is_refused_by_load_but_read(root: Path) -> None:
    write_content(root, {"ok.yaml": "text: Fine\n", "bad.yaml": "text: 42\n"})
    (target,) = targets(Where())
    content = read_content(target)
    assert [p.id for p in content.posts] == ["ok"]
    assert len(content.errors) == 1
    with pytest.raises(ThreadsyncError) as caught:
        load_content(target)
    message = str(caught.value)
    assert message.startswith("the content has 1 error(s); fix them first")
    assert "content/bad.yaml:1:" in message


def test_many_content_errors_are_cut_to_twenty(root: Path) -> None:
    write_content(root, {f"bad{n:02}.yaml": "text: 42\n" for n in range(23)})
    (target,) = targets(Where())
    with pytest.raises(ThreadsyncError, match=r"\.\.\. and 3 more$"):
        load_content(target)


def test_with_the_emulator_local_media_need_no_git_remote(root: Path) -> None:
    media = root / "content" / "_media"
    media.mkdir(parents=True)
    # The signature and IHDR chunk of a 2x2 PNG: all the checks read of it.
    ihdr = b"\x00\x00\x00\rIHDR" + struct.pack(">II", 2, 2) + b"\x08\x02\x00\x00\x00"
    (media / "p.png").write_bytes(b"\x89PNG\r\n\x1a\n" + ihdr + b"\x00" * 4)
    write_content(root, {"a.yaml": "text: Local picture\nmedia: [_media/p.png]\n"})
    base = "https://raw.githubusercontent.com/{repo}/{sha}/{path}"
    (root / "threadsync.yaml").write_text(f"media:\n  base_url: '{base}'\n", "utf-8")
    (target,) = targets(Where(emulator=True))
    content = read_content(target)
    assert content.errors == []
    (item,) = content.posts[0].parts[0].media
    assert item.url == base.format(repo="local/repo", sha="HEAD", path="content/_media/p.png")


def test_a_target_knows_its_name(root: Path) -> None:
    target = Target(root, targets(Where())[0].config, root / "s.json", "T", account="x")
    assert target.name == "x" and target.shown_state() == "s.json"


def test_the_variable_then_the_named_credentials_file(
    root: Path, tmp_path: Path, emu: Emulator
) -> None:
    """Where.credentials (a command's --credentials) names the file; the variable still wins."""
    from threadsync.api import Credentials
    from threadsync.credentials_store import save_credentials

    stored = tmp_path / "elsewhere.json"
    minted = emu.mint_token()
    save_credentials(stored, Credentials.from_token(minted["access_token"], str(minted["user_id"])))
    (target,) = targets(Where(credentials=stored))
    from_file = api_factory(target, ApiSettings(), environ={"THREADS_API_URL": emu.url})
    assert from_file is not None and from_file.source.kind == "file"
    assert str(from_file.source) == str(stored)
    with from_file() as api:
        assert api.get_account().id == emu.user_id
    env = {"THREADS_ACCESS_TOKEN": "canary-env", "THREADS_API_URL": emu.url}
    from_env = api_factory(target, ApiSettings(), environ=env)
    assert from_env is not None and str(from_env.source) == "$THREADS_ACCESS_TOKEN"
    assert "canary" not in repr(from_env) and minted["access_token"] not in repr(from_file)
