"""action.yml, run as the runner runs a composite action: its ``run:`` steps, in order,
with ``bash --noprofile --norc -eo pipefail``, the ``${{ }}`` expressions of their
``env:`` and ``working-directory:`` evaluated first, and a fresh GITHUB_OUTPUT per step.

The ``uses:`` steps are GitHub's own actions: a fresh virtual environment stands in for
setup-python, and the cache is skipped.  The action's code is a copy of this working
tree without .git, as GitHub downloads an action.  Installing it is slow, so one
environment serves the whole module; pip runs offline, with this environment's pip,
setuptools and dependencies (through a .pth file) instead of an index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from threadsync.emulator import Emulator

from .conftest import parse_outputs

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def action() -> dict[str, Any]:
    return dict(yaml.safe_load(ACTION.read_text()))


@dataclass
class Runner:
    """What the runner provides: a Python on PATH, the action's files, a workspace."""

    action_path: Path
    venv: Path
    tmp: Path

    def env(self, **extra: str) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "THREADS"))}
        return {
            **keep,
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(self.tmp / "home"),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self.tmp),
            "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
            # Offline: what the build and the dependencies need is on sys.path already.
            "PIP_NO_INDEX": "1",
            "PIP_NO_BUILD_ISOLATION": "0",
            "PIP_CACHE_DIR": str(self.tmp / "pip-cache"),
            "VIRTUAL_ENV": str(self.venv),
            **extra,
        }

    def evaluate(self, value: str, inputs: dict[str, str]) -> str:
        """``${{ inputs.x }}`` and ``${{ github.action_path }}``, as the runner expands them."""

        def one(found: re.Match[str]) -> str:
            name = found.group(1)
            if name == "github.action_path":
                return str(self.action_path)
            if name.startswith("inputs."):
                return inputs[name.removeprefix("inputs.")]
            raise AssertionError(f"an expression the test does not know: {name}")

        return EXPRESSION.sub(one, value)

    def run(
        self, workspace: Path, given: dict[str, str], *, steps: str = "all", **extra_env: str
    ) -> list[subprocess.CompletedProcess[str]]:
        """Every run: step (or the last only, once installed), until one fails; each with its
        outputs parsed into .outputs."""
        spec = action()
        inputs = {name: str(i.get("default", "")) for name, i in spec["inputs"].items()}
        unknown = set(given) - set(inputs)
        assert not unknown, unknown
        inputs.update(given)
        done: list[subprocess.CompletedProcess[str]] = []
        for index, step in enumerate(spec["runs"]["steps"]):
            if "run" not in step or (steps == "last" and step is not spec["runs"]["steps"][-1]):
                continue
            assert "${{" not in step["run"], "inputs reach a script through env: only"
            output = self.tmp / f"output-{index}"
            output.write_text("")
            env = self.env(GITHUB_OUTPUT=str(output), GITHUB_WORKSPACE=str(workspace), **extra_env)
            env.update({k: self.evaluate(str(v), inputs) for k, v in step.get("env", {}).items()})
            cwd = workspace / self.evaluate(step.get("working-directory", "."), inputs)
            script = self.tmp / f"step-{index}.sh"
            script.write_text(step["run"])
            assert step["shell"] == "bash"
            result = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=cwd,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            result.outputs = parse_outputs(output.read_text())  # type: ignore[attr-defined]
            result.step = step.get("id", step.get("name"))  # type: ignore[attr-defined]
            done.append(result)
            if result.returncode != 0:
                break
        return done


def action_outputs(steps: list[subprocess.CompletedProcess[str]]) -> dict[str, str]:
    """The action's outputs: ``value: ${{ steps.ID.outputs.NAME }}``, from the steps' files."""
    by_id = {s.step: s.outputs for s in steps}  # type: ignore[attr-defined]
    out = {}
    for name, spec in action()["outputs"].items():
        (ref,) = EXPRESSION.findall(spec["value"])
        step_id, _, key = ref.removeprefix("steps.").partition(".outputs.")
        out[name] = by_id.get(step_id, {}).get(key, "")
    return out


def copy_of_the_action(target: Path) -> Path:
    """The files GitHub downloads for OWNER/threadsync@SHA: the tree, with no .git."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    tmp = tmp_path_factory.mktemp("runner")
    (tmp / "home").mkdir()
    venv = tmp / "python"
    # Without pip of its own: pip, setuptools and the dependencies come through the .pth.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "offline-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    yield Runner(copy_of_the_action(tmp / "action"), venv, tmp)


@pytest.fixture(scope="module")
def installed(runner: Runner, tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """The action's first steps, once: pip's cache key, then the install."""
    workspace = tmp_path_factory.mktemp("empty-workspace")
    steps = runner.run(workspace, {"command": "validate"})
    assert [s.step for s in steps] == ["cache-key", "Install threadsync", "run"]  # type: ignore[attr-defined]
    key, install = steps[0], steps[1]
    assert key.returncode == 0, key.stderr
    assert re.fullmatch(r"threadsync-pip-Linux-py3\.\d+-[0-9a-f]{16}", key.outputs["key"])  # type: ignore[attr-defined]
    assert install.returncode == 0, install.stdout + install.stderr
    return runner


def project(tmp: Path, files: dict[str, str]) -> Path:
    root = tmp / "workspace"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    ident = ["-c", "user.name=a", "-c", "user.email=a@b.c"]
    for args in (["init", "-q"], ["add", "-A"], [*ident, "commit", "-qm", "posts"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return root


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(processing="image=0s,video=0s,carousel=0s") as emu:
        yield emu


POSTS = {
    "content/hello.yaml": "text: Hello from the action\n",
    "content/thread.yaml": "text: One\nthread:\n  - text: Two\n",
}


def test_the_action_installs_its_own_code_not_editable(installed: Runner) -> None:
    python = installed.venv / "bin" / "python"
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import threadsync, threadsync._build as b; print(threadsync.__file__, b.COMMIT)",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=installed.env(),
        cwd=installed.tmp,  # not this checkout, which python -c would import first
    ).stdout.split()
    assert where[0].startswith(str(installed.venv)) and "site-packages" in where[0]
    assert where[1] == "None"  # a download of the action has no .git to name its commit
    assert (installed.venv / "bin" / "threadsync").exists()


def test_apply_publishes_and_sets_the_outputs(
    installed: Runner, tmp_path: Path, emulator: Emulator
) -> None:
    workspace = project(tmp_path, POSTS)
    api = {"THREADS_API_URL": emulator.url, "THREADS_ACCESS_TOKEN": emulator.token}
    steps = installed.run(workspace, {"command": "apply"}, steps="last", **api)
    run = steps[-1]
    assert run.returncode == 0, run.stdout + run.stderr
    assert action_outputs(steps) == {"has_changes": "true", "published": "2"}
    texts = sorted(str(p["params"].get("text")) for p in emulator.posts())
    assert texts == ["Hello from the action", "One", "Two"]
    assert (workspace / ".threadsync" / "state.json").exists()
    again = installed.run(workspace, {"command": "apply"}, steps="last", **api)
    assert action_outputs(again) == {"has_changes": "false", "published": "0"}
    assert len(emulator.posts()) == 3


def test_an_accounts_folder_and_quoted_args(
    installed: Runner, tmp_path: Path, emulator: Emulator
) -> None:
    workspace = project(
        tmp_path,
        {
            "social/threadsync.yaml": "accounts:\n  brand: {}\n  news: {}\n",
            "social/content/brand/a.yaml": "text: Brand post\n",
            "social/content/news/b.yaml": "text: News post\n",
        },
    )
    given = {"command": "validate", "account": "news", "working-directory": "social"}
    steps = installed.run(workspace, given, steps="last")
    assert steps[-1].returncode == 0, steps[-1].stderr
    assert steps[-1].stdout.strip() == "1 post valid"
    given = {**given, "command": "plan", "args": "--format 'markdown'"}
    steps = installed.run(workspace, given, steps="last")
    assert steps[-1].returncode == 0, steps[-1].stderr
    assert (
        steps[-1].stdout.startswith("<!-- threadsync-plan -->") and "News post" in steps[-1].stdout
    )
    assert "Brand post" not in steps[-1].stdout
    assert action_outputs(steps) == {"has_changes": "true", "published": ""}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"command": "plan; rm -rf ~"}, "command 'plan; rm -rf ~' is not a threadsync command"),
        ({"command": "plan", "args": "--format 'markdown"}, "args: No closing quotation"),
    ],
)
def test_a_bad_command_or_args_stop_with_one_error(
    installed: Runner, tmp_path: Path, given: dict[str, str], message: str
) -> None:
    workspace = project(tmp_path, POSTS)
    run = installed.run(workspace, given, steps="last")[-1]
    assert run.returncode == 1
    assert f"::error title=threadsync::{message}" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
