"""``threadsync init``: a valid content repository, the workflows, and no file clobbered."""

from __future__ import annotations

import re
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


def test_the_user_workflows_call_the_reusable_workflow_and_install_this_version(
    cli: Run, repo: Path
) -> None:
    assert cli("init", "--schedule", "*/30 * * * *").rc == 0
    for rel in WORKFLOW_FILES:
        text = (repo / rel).read_text()
        assert f"uses: {scaffold.REUSABLE_WORKFLOW} # zizmor: ignore[unpinned-uses]" in text
        assert f'install: "{scaffold.DEFAULT_INSTALL}"' in text
        assert "__THREADSYNC" not in text
    assert (
        'cron: "*/30 * * * *"' in (repo / ".github/workflows/threadsync-schedule.yml").read_text()
    )
    sha = "0123456789abcdef0123456789abcdef01234567"
    ref = f"me/threadsync/.github/workflows/threadsync.yml@{sha}"
    assert cli("init", "--force", "--workflow", ref, "--install", "threadsync[x]>=0.1").rc == 0
    text = (repo / ".github/workflows/threadsync-pr.yml").read_text()
    assert f"uses: {ref}\n" in text and 'install: "threadsync[x]>=0.1"' in text


def test_init_keeps_existing_files_unless_forced(cli: Run, repo: Path) -> None:
    (repo / "threadsync.yaml").write_text("content: posts\n")
    (repo / ".gitignore").write_text("node_modules/\n.threadsync/state.lock")
    result = cli("init")
    assert "kept     threadsync.yaml (it exists; --force overwrites it)" in result.out
    assert (repo / "threadsync.yaml").read_text() == "content: posts\n"
    assert "updated  .gitignore (+ .threadsync/**/*.json.log, .threadsync/emulator/)" in result.out
    assert (repo / ".gitignore").read_text() == (
        "node_modules/\n.threadsync/state.lock\n\n"
        "# threadsync: the state lock, the state's log and the local emulator's data\n"
        ".threadsync/**/*.json.log\n.threadsync/emulator/\n"
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
        ("--workflow", "threadsync@v1", "is not a reusable workflow reference"),
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
    assert config.limits.lock_max_age == 360 and config.apply.workers == 4
    assert config.auth.app_id == "1234567890123456"
