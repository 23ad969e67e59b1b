from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from threadsync import cli
from threadsync.errors import ThreadsyncError

CANARY = "THcanary-account-token-0123456789"


def test_usage_errors_exit_1_not_the_changes_pending_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["plan", "--detailed-exitcode", "--bogus"])
    assert info.value.code == 1
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli.main(["plan", "--format", "yaml"])
    assert info.value.code == 1


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["--version"], ["plan", "--help"]):
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        assert info.value.code == 0


def _failing(exc: Exception) -> object:
    def run(args: argparse.Namespace) -> int:
        raise exc

    return run


@pytest.mark.parametrize("variable", ["THREADS_ACCESS_TOKEN_BRAND", "MY_TOKEN"])
def test_account_tokens_never_reach_error_lines_or_crash_logs(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    variable: str,
) -> None:
    from threadsync.commands import force_unlock_cmd as force_unlock

    monkeypatch.setenv(variable, CANARY)
    monkeypatch.setenv("THREADSYNC_LOG_DIR", str(tmp_path))
    argv = ["plan", "--token-env", variable] if variable == "MY_TOKEN" else ["force-unlock"]
    module = "threadsync.commands.plan_cmd" if variable == "MY_TOKEN" else force_unlock.__name__

    monkeypatch.setattr(f"{module}.run", _failing(ThreadsyncError(f"bad {CANARY}")))
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: bad ") and CANARY not in err

    monkeypatch.setattr(f"{module}.run", _failing(RuntimeError(f"boom {CANARY}")))
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert "unexpected RuntimeError" in err and CANARY not in err
    log_path = tmp_path / cli.LOG_NAME
    log = log_path.read_text()
    assert "boom" in log and "Traceback" in log and CANARY not in log
    assert log_path.stat().st_mode & 0o777 == 0o600  # the report's directory may be shared


def test_a_crash_log_is_never_written_through_a_symlink(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from threadsync.commands import force_unlock_cmd as force_unlock

    target = tmp_path / "someone-elses-file"
    target.write_text("theirs")
    (tmp_path / cli.LOG_NAME).symlink_to(target)
    monkeypatch.setenv("THREADSYNC_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(f"{force_unlock.__name__}.run", _failing(RuntimeError("boom")))
    assert cli.main(["force-unlock"]) == 1
    assert target.read_text() == "theirs"
    assert "(a bug; no report could be written)" in capsys.readouterr().err
