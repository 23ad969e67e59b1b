"""Nothing outside the repository is read: every file content names is resolved and checked.

Each attack is a real symlink, FIFO or path in a tmp repository, loaded with
``load_project``: posts, partials, ``_vars.yaml``, media and the content dir.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from threadsync.config import Config, load_config
from threadsync.content import load_project
from threadsync.content.safefs import TEXT_MAX_BYTES, Refused, RepoFiles

from .contentkit import load, messages, png_bytes, write

MEDIA = 'media: {base_url: "https://cdn.example/{path}"}\n'
CANARY = "canary-token-4f1c9e"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the repository, holding a secret file and an image."""
    folder = tmp_path / "outside"
    write(folder, {"secret.txt": f"token={CANARY}\n", "photo.png": png_bytes()})
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "content").mkdir(parents=True)
    return root


def _link(target: str | Path, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, link)


def test_partial_symlinked_to_proc_environ_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review's case: a partial that is a link to the environment holding the token."""
    monkeypatch.setenv("THREADS_ACCESS_TOKEN", CANARY)
    _link("/proc/self/environ", repo / "content/_partials/footer.txt")
    project = load(repo, {"content/a.yaml": "text: 'Hi {% include \"footer.txt\" %}'"})
    assert messages(project) == [
        "content/a.yaml:1:7: text: partial content/_partials/footer.txt: a symlink to a file "
        "outside the repository (/proc/self/environ)"
    ]
    assert CANARY not in repr(project.posts)


def test_partial_symlinked_outside_is_refused_and_inside_works(repo: Path, outside: Path) -> None:
    _link(outside / "secret.txt", repo / "content/_partials/secret.txt")
    _link("../shared/sig.txt", repo / "content/_partials/sig.txt")  # stays inside
    project = load(
        repo,
        {
            "content/shared/sig.txt": "-- the team",
            "content/a.yaml": "text: '{% include \"secret.txt\" %}'",
            "content/b.yaml": "text: 'Bye {% include \"sig.txt\" %}'",
        },
    )
    assert messages(project) == [
        f"content/a.yaml:1:7: text: partial content/_partials/secret.txt: a symlink to a file "
        f"outside the repository ({outside / 'secret.txt'})"
    ]
    assert [p.parts[0].text for p in project.posts] == ["Bye -- the team"]


@pytest.mark.parametrize("name", ["../../x", "../a.yaml", "/etc/passwd", "sub/../../a.yaml", "./x"])
def test_partial_names_that_leave_partials_are_refused(repo: Path, name: str) -> None:
    write(repo, {"x": "outside partials", "content/_partials/x": "ok"})
    project = load(repo, {"content/a.yaml": f"text: '{{% include \"{name}\" %}}'"})
    assert messages(project) == [
        f"content/a.yaml:1:7: text: partial {name!r}: names a file outside content/_partials/; "
        "use a name under it"
    ]


def test_partial_dir_symlinked_outside_is_refused(repo: Path, outside: Path) -> None:
    _link(outside, repo / "content/_partials")
    project = load(repo, {"content/a.yaml": "text: '{% include \"secret.txt\" %}'"})
    assert messages(project) == [
        "content/a.yaml:1:7: text: partial content/_partials/secret.txt: a symlink to a file "
        f"outside the repository ({outside / 'secret.txt'})"
    ]


def test_post_file_symlinked_outside_is_refused(repo: Path, outside: Path) -> None:
    _link(outside / "secret.txt", repo / "content/leak.yaml")
    _link("real.yaml", repo / "content/alias.yaml")  # a link that stays inside is a post
    project = load(repo, {"content/real.yaml": "id: real\ntext: Real"})
    assert messages(project) == [
        "content/leak.yaml:1:1: a symlink to a file outside the repository "
        f"({outside / 'secret.txt'})",
        "content/real.yaml:1:5: duplicate id 'real': content/alias.yaml has the same id "
        "(set a different id: in one of them)",
    ]
    assert CANARY not in "".join(messages(project))


def test_vars_file_symlinked_outside_is_refused(repo: Path, outside: Path) -> None:
    _link(outside / "secret.txt", repo / "content/_vars.yaml")
    project = load(repo, {"content/a.yaml": "text: '{{ token }}'"})
    assert messages(project) == [
        "content/_vars.yaml:1:1: a symlink to a file outside the repository "
        f"({outside / 'secret.txt'})",
        "content/a.yaml:1:7: text: undefined variable 'token' in template (define it in vars:)",
    ]


def test_dev_zero_and_fifo_are_refused_without_reading(repo: Path) -> None:
    """A link to /dev/zero or a FIFO would make validate read forever; neither is opened to read."""
    _link("/dev/zero", repo / "content/zero.yaml")
    os.mkfifo(repo / "content/pipe.yaml")
    (repo / "content/_partials").mkdir()
    os.mkfifo(repo / "content/_partials/pipe.txt")
    project = load(repo, {"content/a.yaml": "text: '{% include \"pipe.txt\" %}'"})
    assert messages(project) == [
        "content/a.yaml:1:7: text: partial content/_partials/pipe.txt: a FIFO, not a regular file",
        "content/pipe.yaml:1:1: a FIFO, not a regular file",
        "content/zero.yaml:1:1: a symlink to a file outside the repository (/dev/zero)",
    ]


def test_dev_zero_inside_the_repository_is_refused_by_kind(tmp_path: Path) -> None:
    """A repository under / (a container's checkout) holds /dev: not regular, so not read."""
    files = RepoFiles("/")
    with pytest.raises(Refused, match="a character device, not a regular file"):
        files.read("/dev/zero", "dev/zero")


def test_a_file_over_the_size_limit_is_not_read(repo: Path) -> None:
    big = repo / "content/big.yaml"
    with big.open("wb") as fh:
        fh.write(b"text: x\n")
        fh.truncate(TEXT_MAX_BYTES + 1)  # sparse: nothing is written, nothing read
    project = load(repo, {})
    assert messages(project) == [
        "content/big.yaml:1:1: 4.0 MB; a file here may be at most 4.0 MB",
    ]


def test_media_outside_the_repository_is_refused(repo: Path, outside: Path) -> None:
    _link(outside / "photo.png", repo / "content/_media/linked.png")
    _link("real.png", repo / "content/_media/inside.png")
    project = load(
        repo,
        {
            "content/_media/real.png": png_bytes(),
            "content/a.yaml": """
                text: Photos
                media:
                  - image: _media/linked.png
                  - image: ../../outside/photo.png
                  - image: /../outside/photo.png
                  - image: _media/inside.png
            """,
        },
        config=MEDIA,
    )
    assert messages(project) == [
        "content/a.yaml:3:5: media file content/_media/linked.png: a symlink to a file outside "
        f"the repository ({outside / 'photo.png'})",
        "content/a.yaml:4:5: media path '../../outside/photo.png' points outside the repository",
        "content/a.yaml:5:5: media path '/../outside/photo.png' points outside the repository",
    ]


def test_inside_media_symlink_works(repo: Path) -> None:
    _link("real.png", repo / "content/_media/inside.png")
    project = load(
        repo,
        {
            "content/_media/real.png": png_bytes(),
            "content/a.yaml": "text: Photo\nmedia: [_media/inside.png]",
        },
        config=MEDIA,
    )
    assert messages(project) == []
    assert project.posts[0].parts[0].media[0].local_path == "content/_media/inside.png"


def test_content_dir_outside_the_repository_is_a_config_error(repo: Path, outside: Path) -> None:
    (repo / "threadsync.yaml").write_text("content: ../outside\n")
    with pytest.raises(Exception) as info:
        load_config(None, repo)
    assert str(info.value) == (
        "threadsync.yaml:1:10: content dir '../outside' is outside the repository"
    )


def test_symlinked_content_dir_outside_is_a_config_error(repo: Path, outside: Path) -> None:
    (repo / "content").rmdir()
    _link(outside, repo / "content")
    (repo / "threadsync.yaml").write_text("vars: {}\ncontent: content\n")
    with pytest.raises(Exception) as info:
        load_config(None, repo)
    assert str(info.value) == (
        "threadsync.yaml:2:10: content dir 'content' is a symlink to a directory outside the "
        f"repository ({outside})"
    )


def test_loader_refuses_an_outside_content_dir_given_another_way(repo: Path, outside: Path) -> None:
    """--content-dir and the Python API skip threadsync.yaml: the loader checks again."""
    (repo / "content").rmdir()
    _link(outside, repo / "content")
    project = load_project(repo, Config())
    assert messages(project) == [
        f"content:1:1: content directory 'content' is a symlink to a directory outside the "
        f"repository ({outside})"
    ]
    assert project.posts == []


def test_symlinked_content_dir_inside_works(repo: Path) -> None:
    (repo / "content").rmdir()
    write(repo, {"posts/a.yaml": "text: Inside"})
    _link("posts", repo / "content")
    project = load(repo, {})
    assert messages(project) == []
    assert [(p.id, p.path) for p in project.posts] == [("a", "content/a.yaml")]


def test_repo_files_resolve_messages(tmp_path: Path) -> None:
    files = RepoFiles(tmp_path)
    (tmp_path / "a.txt").write_text("A")
    assert files.read(str(tmp_path / "a.txt")) == b"A"
    with pytest.raises(Refused) as info:
        files.read(str(tmp_path / ".." / "elsewhere.txt"))
    assert info.value.message == "../elsewhere.txt: outside the repository"
    with pytest.raises(FileNotFoundError):
        files.read(str(tmp_path / "missing.txt"))


def _names(root: Path) -> list[str]:
    return [p.id for p in load_project(root, load_config(None, root)).posts]


def test_post_files_are_read_from_their_folder_when_folders_interleave(repo: Path) -> None:
    # Sorted by path, a folder's files come around its subfolder's ("a/b.yaml",
    # "a/b/c.yaml", "a/c.yaml"): each must be read from its own folder.
    write(
        repo / "content",
        {
            "a/b.yaml": "text: in a, first\n",
            "a/b/c.yaml": "text: in a/b\n",
            "a/c.yaml": "text: in a, last\n",
            "d.yaml": "text: at the top\n",
        },
    )
    content = load_project(repo, load_config(None, repo))
    assert {p.id: p.parts[0].text for p in content.posts} == {
        "a/b": "in a, first",
        "a/b/c": "in a/b",
        "a/c": "in a, last",
        "d": "at the top",
    }


def test_post_files_are_read_by_path_where_folders_cannot_be_opened(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repo / "content", {"x/one.yaml": "text: one\n", "two.yaml": "text: two\n"})
    opened: list[str] = []
    monkeypatch.setattr(RepoFiles, "open_dir", lambda self, base, rel: opened.append(rel))  # None
    assert sorted(_names(repo)) == ["two", "x/one"]
    assert opened == ["", "x"]  # asked once per folder, then read by path


@pytest.mark.parametrize("swapped", ["news", "news/2026"])
def test_a_folder_swapped_for_a_symlink_after_the_walk_is_not_followed(
    repo: Path, outside: Path, monkeypatch: pytest.MonkeyPatch, swapped: str
) -> None:
    # The walk saw real folders; by the time the file is read, its folder or one
    # above it is a link to a folder outside.  Opening the folders step by step
    # refuses the link, so the file is resolved like any named path, and refused.
    write(repo / "content", {"news/2026/post.yaml": "text: inside\n"})
    write(outside, {"2026/post.yaml": f"text: {CANARY}\n", "post.yaml": f"text: {CANARY}\n"})
    real_open_dir = RepoFiles.open_dir

    def swap_then_open(self: RepoFiles, base: str, rel_dir: str) -> int | None:
        folder = repo / "content" / swapped
        os.rename(folder, folder.with_name("moved"))
        os.symlink(outside, folder)
        return real_open_dir(self, base, rel_dir)

    monkeypatch.setattr(RepoFiles, "open_dir", swap_then_open)
    content = load_project(repo, load_config(None, repo))
    assert all(CANARY not in p.parts[0].text for p in content.posts)
    leaked = outside / ("post.yaml" if swapped == "news/2026" else "2026/post.yaml")
    assert messages(content) == [
        f"content/news/2026/post.yaml:1:1: a symlink to a file outside the repository ({leaked})"
    ]
