"""No input, however malformed, makes validate crash: it prints problems and exits 0 or 1."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from threadsync.cli import main
from threadsync.config import load_config
from threadsync.content import load_project
from threadsync.content.rawmodels import POST_KEYS

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters that matter to YAML, Markdown and Jinja, plus awkward ones.
ALPHABET = st.sampled_from(
    list(":-[]{}#&*!|>'\"%@`,?~=<\\/.\n\t ")
    + list("ab01xyz_")
    + [
        "\x00",
        "\x07",
        "\ufeff",
        "\u2028",
        "\x85",
        "😀",
        "é",
        "\r",
        "{{",
        "}}",
        "{%",
        "%}",
        "---\n",
        "![a](b.png)",
    ]
)
yamlish_text = st.lists(ALPHABET, max_size=80).map("".join)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "{{ x }}",
            "{{ ''.__class__ }}",
            "{% include 'p' %}",
            "2027-01-01",
            "https://x/a.png",
            "a.png",
            "NO",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(POST_KEYS), st.text(max_size=8)), children, max_size=5
        ),
    ),
    max_leaves=12,
)
posts = st.dictionaries(st.sampled_from([*POST_KEYS, "image", "video", "alt"]), values, max_size=8)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252"])


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True)


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@st.composite
def files(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["bytes", "yamlish", "post", "markdown", "mangled"]))
    suffix = draw(st.sampled_from([".yaml", ".yml", ".md"]))
    if kind == "bytes":
        return suffix, draw(st.binary(max_size=200))
    if kind == "yamlish":
        return suffix, _encode(draw(yamlish_text), draw(encodings))
    if kind == "post":
        return ".yaml", _encode(_dump(draw(posts)), draw(encodings))
    if kind == "markdown":
        front = _dump(draw(posts)) if draw(st.booleans()) else draw(yamlish_text)
        body = draw(yamlish_text)
        return ".md", _encode(f"---\n{front}---\n{body}", draw(encodings))
    # mangled: a valid post with bytes inserted (NULs, invalid UTF-8, BOMs)
    raw = bytearray(_dump(draw(posts)).encode("utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        junk = draw(
            st.sampled_from(
                [b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"\xfe\xff", b"\r", b"\x1b"]
            )
        )
        at = draw(st.integers(0, len(raw)))
        raw[at:at] = junk
    return draw(st.sampled_from([".yaml", ".md"])), bytes(raw)


def _run_validate(root: Path, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", "--config", str(root / "threadsync.yaml"), *extra])
    return code, out.getvalue(), err.getvalue()


@SETTINGS
@given(st.lists(files(), min_size=1, max_size=4), st.sampled_from([[], ["--json"]]))
def test_validate_never_crashes(found: list[tuple[str, bytes]], extra: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "threadsync.yaml").write_text("vars: {x: 1}\n")
        content = root / "content"
        (content / "_partials").mkdir(parents=True)
        (content / "_partials" / "p").write_text("partial {{ x }}")
        for i, (suffix, data) in enumerate(found):
            (content / f"f{i}{suffix}").write_bytes(data)
        code, out, err = _run_validate(root, *extra)
        assert code in (0, 1)
        assert err == ""
        assert "Traceback" not in out
        project = load_project(root, load_config(root / "threadsync.yaml", root))
        assert not [p for p in project.problems if "internal error" in p.message]
        assert all(p.line >= 1 and p.col >= 1 for p in project.problems)
        assert (code == 1) == bool(project.errors)


@SETTINGS
@given(st.binary(max_size=300) | yamlish_text.map(lambda t: t.encode("utf-8", "replace")))
def test_config_never_crashes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "threadsync.yaml").write_bytes(data)
        (root / "content").mkdir()
        code, out, err = _run_validate(root)
        assert code in (0, 1)
        assert "Traceback" not in out + err
        assert "unexpected" not in err
