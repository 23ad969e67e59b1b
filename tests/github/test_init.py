"""``threadsync init``: a valid content repository, the workflows, and no file clobbered."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from threadsync import scaffold
from threadsync.cli import main
from threadsync.config import Config, Limits, load_config

from .conftest import Run

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_FILES = [f".github/workflows/{name}" for name in scaffold.WORKFLOWS]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def test_init_writes_a_valid_repository(
    cli: Run, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = cli("init")
    assert result.rc == 0, result.err
    expected = {
        "threadsync.yaml",
        "content/hello.md",
        "content/welcome-thread.yaml",
        *WORKFLOW_FILES,
    }
    written = {p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()}
    assert written == expected | {".gitignore"}
    for rel in expected:
        assert f"created  {rel}" in result.out
    assert "threadsync auth login --github-secret THREADS_ACCESS_TOKEN" in result.out
    assert "Create a Threads app" in result.out and "GH_SECRETS_TOKEN" in result.out
    media = " ".join(result.out.split())  # how media is served, for a private repository
    assert "raw.githubusercontent.com, serves a public repository only" in media
    assert "for a private one, upload them to a bucket (media.store: s3" in media
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.strip() == "2 posts valid (2 drafts)"
    # Without their draft lines, the examples are one post to publish and one scheduled.
    for rel in ("content/hello.md", "content/welcome-thread.yaml"):
        path = repo / rel
        path.write_text(path.read_text().replace("draft: true\n", ""))
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.strip() == "2 posts valid"
    assert main(["plan", "--format", "markdown"]) == 0
    plan = capsys.readouterr().out
    assert plan.startswith("<!-- threadsync-plan -->")
    assert "1 to publish, 1 scheduled" in plan


def test_the_workflows_run_this_threadsyncs_own_commit(cli: Run, repo: Path) -> None:
    """The default pin: the commit this threadsync comes from (here, an editable install
    in a checkout: its HEAD), in threadsync's repository, and no install: line."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    result = cli("init", "--schedule", "*/30 * * * *")
    assert result.rc == 0, result.err
    pinned = f"{scaffold.REPOSITORY}/.github/workflows/threadsync.yml@{head}"
    for rel in WORKFLOW_FILES:
        text = (repo / rel).read_text()
        assert f"uses: {pinned}\n" in text
        assert "\n      install:" not in text and "__THREADSYNC" not in text
    assert f"the workflows run {scaffold.REPOSITORY}@{head} and install threadsync from" in (
        result.out
    )
    assert (
        'cron: "*/30 * * * *"' in (repo / ".github/workflows/threadsync-schedule.yml").read_text()
    )


def test_action_and_install_choose_what_the_workflows_run(cli: Run, repo: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    result = cli("init", "--action", f"me/threadsync@{sha}", "--install", "threadsync==1.0")
    assert result.rc == 0, result.err
    text = (repo / ".github/workflows/threadsync-pr.yml").read_text()
    assert f"uses: me/threadsync/.github/workflows/threadsync.yml@{sha}\n" in text
    assert 'install: "threadsync==1.0"' in text
    assert f"the workflows run me/threadsync@{sha} and install threadsync==1.0" in result.out


def test_without_a_known_commit_init_asks_for_one(
    cli: Run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Built from a source archive without git: nothing to pin, so no guess."""
    monkeypatch.setattr("threadsync.buildinfo.source_commit", lambda: None)
    result = cli("init")
    assert result.rc == 1
    assert "does not know the commit it was built from" in result.err
    assert f"--action {scaffold.REPOSITORY}@SHA" in result.err
    assert not (repo / "threadsync.yaml").exists()
    assert cli("init", "--no-workflows").rc == 0
    assert cli("init", "--force", "--action", f"{scaffold.REPOSITORY}@{'a' * 40}").rc == 0
    assert f"@{'a' * 40}" in (repo / ".github/workflows/threadsync-pr.yml").read_text()


def test_init_keeps_existing_files_unless_forced(cli: Run, repo: Path) -> None:
    (repo / "threadsync.yaml").write_text("content: posts\n")
    (repo / ".gitignore").write_text("node_modules/\n.threadsync/**/*.bak")
    result = cli("init")
    assert "kept     threadsync.yaml (it exists; --force overwrites it)" in result.out
    assert (repo / "threadsync.yaml").read_text() == "content: posts\n"
    added = [line for line in scaffold.GITIGNORE_LINES if line != ".threadsync/**/*.bak"]
    assert f"updated  .gitignore (+ {', '.join(added)})" in result.out
    assert (repo / ".gitignore").read_text() == (
        "node_modules/\n.threadsync/**/*.bak\n\n"
        "# threadsync: the state lock, log and backup, the insights cache, the preview "
        "and the local emulator's data\n" + "".join(f"{line}\n" for line in added)
    )
    again = cli("init")
    assert "0 file(s) written, 8 kept" in again.out
    assert ".gitignore" not in again.out  # nothing appended twice
    forced = cli("init", "--force")
    assert "replaced threadsync.yaml" in forced.out
    assert (repo / "threadsync.yaml").read_text() == scaffold.read("threadsync.yaml")


def test_init_without_workflows(cli: Run, repo: Path) -> None:
    assert cli("init", "--no-workflows").rc == 0
    assert not (repo / ".github").exists() and (repo / "threadsync.yaml").exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--schedule", "every 15 minutes", "is not a cron schedule of 5 fields"),
        ("--action", "threadsync/threadsync", "is not OWNER/REPO@SHA"),
        ("--action", "threadsync/threadsync@v1", "give a full commit SHA (40 hex digits)"),
    ],
)
def test_init_refuses_bad_options(
    cli: Run, repo: Path, option: str, value: str, message: str
) -> None:
    result = cli("init", option, value)
    assert result.rc == 1 and message in result.err
    assert not (repo / "threadsync.yaml").exists()


def test_this_repositorys_workflows_are_the_templates(cli: Run) -> None:
    """The workflows users get are the ones threadsync runs on its own content."""
    for name in scaffold.WORKFLOWS:
        rendered = scaffold.render_workflow(name, workflow=scaffold.LOCAL_WORKFLOW, install=".")
        assert (REPO_ROOT / ".github/workflows" / name).read_text() == rendered, name


def _uncomment(text: str) -> str:
    """Turn every commented-out setting ("#key: ..." or "#  key: ...") into a setting."""
    return "\n".join(
        line[1:] if re.match(r"^#(?! \S)(?!$)", line) else line for line in text.splitlines()
    )


def test_every_setting_of_the_template_is_valid(tmp_path: Path) -> None:
    text = scaffold.read("threadsync.yaml")
    assert load_config(None, tmp_path) == Config()  # the file does not exist yet
    (tmp_path / "threadsync.yaml").write_text(text)
    assert load_config(None, tmp_path) is not None  # as written: valid
    data = yaml.safe_load(_uncomment(text))
    documented = set(data) | {f"limits.{k}" for k in data["limits"]}
    known = set(Config.model_fields) | {f"limits.{k}" for k in Limits.model_fields}
    assert set(Config.model_fields) <= set(data)  # every setting is documented
    assert documented <= known, documented - known
    (tmp_path / "threadsync.yaml").write_text(yaml.safe_dump(data))
    config = load_config(None, tmp_path)
    assert config.timezone == "Europe/Berlin" and "brand" in config.accounts
    # Two media: examples; the last, the bucket's, is what YAML keeps: valid as written.
    assert config.media.store == "s3" and config.media.prefix == "threadsync/"
    assert config.limits.lock_max_age == 360 and config.apply.workers == 4
    assert config.auth.app_id == "1234567890123456"
