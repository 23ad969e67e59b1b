"""GitHub mode: the step's output, summary and event files, as GitHub Actions provides them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadsync import github
from threadsync.cli import main as cli_main
from threadsync.errors import ThreadsyncError

from .conftest import ActionsEnv, parse_outputs


def test_outputs_are_heredocs_that_survive_any_value(actions: ActionsEnv) -> None:
    tricky = "line one\nname=value\nEOF\n<<not a delimiter\n"
    assert github.write_output("published", 3)
    assert github.write_output("has_changes", "true")
    assert github.write_output("report", tricky)
    outputs = actions.outputs()
    assert outputs == {"published": "3", "has_changes": "true", "report": tricky}
    text = actions.output.read_text()
    delimiters = [line.split("<<", 1)[1] for line in text.splitlines() if "<<ghadelimiter_" in line]
    assert len(set(delimiters)) == 3  # a fresh delimiter each time


def test_output_names_are_checked(actions: ActionsEnv) -> None:
    with pytest.raises(ValueError):
        github.write_output("bad name", "x")


def test_outside_actions_nothing_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_EVENT_PATH", "GITHUB_ACTIONS"):
        monkeypatch.delenv(name, raising=False)
    assert github.write_output("x", "1") is False
    assert github.append_summary("# hi") is False
    assert github.read_event() == {}
    assert github.in_actions() is False


def test_summary_is_appended_with_a_newline(actions: ActionsEnv) -> None:
    actions.summary.write_text("# earlier step\n")
    github.append_summary("## plan")
    github.append_summary("more\n")
    assert actions.summary.read_text() == "# earlier step\n## plan\nmore\n"


def test_summary_stays_under_githubs_limit(
    actions: ActionsEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(github, "SUMMARY_LIMIT", 200)
    actions.summary.write_text("x" * 50)
    github.append_summary("é" * 300)
    text = actions.summary.read_bytes()
    assert len(text) <= 200
    assert text.decode("utf-8").endswith("*(cut: the job summary is limited to 1 MiB)*\n")


def test_the_event_payload_is_read(actions: ActionsEnv) -> None:
    actions.set_event({"pull_request": {"number": 7}})
    assert github.read_event() == {"pull_request": {"number": 7}}
    actions.event.write_text("[1, 2]")
    with pytest.raises(ThreadsyncError, match="not a JSON object"):
        github.read_event()
    actions.event.write_text("{broken")
    with pytest.raises(ThreadsyncError, match="can't read the GitHub event payload"):
        github.read_event()


def test_account_matrix_without_accounts(
    actions: ActionsEnv,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli_main(["github-accounts"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = [
        {
            "name": "",
            "token_env": "THREADS_ACCESS_TOKEN",
            "secret": "THREADS_ACCESS_TOKEN",
            "content": "content",
            "state": ".threadsync/state.json",
        }
    ]
    assert printed == expected
    assert json.loads(actions.outputs()["matrix"]) == expected
    assert cli_main(["github-accounts", "--field", "state"]) == 0
    assert capsys.readouterr().out == ".threadsync/state.json\n"


def test_account_matrix_with_accounts(
    actions: ActionsEnv,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "threadsync.yaml").write_text(
        "accounts:\n"
        "  brand: {}\n"
        "  news:\n"
        "    content: posts/news\n"
        "    state: .threadsync/news.json\n"
        "    token_env: NEWS_TOKEN\n"
    )
    assert cli_main(["github-accounts"]) == 0
    matrix = json.loads(actions.outputs()["matrix"])
    assert [a["name"] for a in matrix] == ["brand", "news"]
    assert matrix[0]["secret"] == matrix[0]["token_env"] == "THREADS_ACCESS_TOKEN_BRAND"
    assert matrix[0]["content"] == "content/brand"
    assert matrix[0]["state"] == ".threadsync/brand/state.json"
    assert matrix[1] | {} == {
        "name": "news",
        "token_env": "NEWS_TOKEN",
        "secret": "NEWS_TOKEN",
        "content": "posts/news",
        "state": ".threadsync/news.json",
    }
    capsys.readouterr()
    assert cli_main(["github-accounts", "--field", "content", "--account", "news"]) == 0
    assert capsys.readouterr().out == "posts/news\n"
    assert cli_main(["github-accounts", "--field", "state", "--account", "nope"]) == 1
    assert "no account 'nope' (known: brand, news)" in capsys.readouterr().err


def test_parse_outputs_reads_both_forms() -> None:
    assert parse_outputs("a=1\nb<<X\nx\ny\nX\n") == {"a": "1", "b": "x\ny"}
