"""What ``preview`` and ``watch`` print: the validation result, as ``validate`` words it."""

from __future__ import annotations

from threadsync.output.escape import terminal_text
from threadsync.preview.site import BuildReport
from threadsync.preview.snapshot import Snapshot

MAX_PROBLEMS = 20


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict(snap: Snapshot) -> str:
    """E.g. '8 posts valid (1 draft)' or '2 errors, 1 warning in 1 file'."""
    errors, warnings = snap.errors, snap.warnings
    if errors:
        files = len({p.path for p in snap.problems if p.is_error})
        text = plural(errors, "error")
        if warnings:
            text += f", {plural(warnings, 'warning')}"
        return f"{text} in {plural(files, 'file')}"
    extras = []
    drafts = sum(1 for p in snap.posts if p.draft)
    if drafts:
        extras.append(plural(drafts, "draft"))
    if warnings:
        extras.append(plural(warnings, "warning"))
    n = len(snap.posts)
    text = f"{n} post{'' if n == 1 else 's'} valid"
    return f"{text} ({', '.join(extras)})" if extras else text


def problem_lines(snap: Snapshot) -> list[str]:
    """Every problem (errors first), at most MAX_PROBLEMS, then how many more."""
    problems = sorted(snap.problems, key=lambda p: (not p.is_error, p.sort_key()))
    every = [terminal_text(p) for p in problems]
    banner = [terminal_text(line, newlines=True) for line in snap.banner]
    every += [line for line in banner if line not in set(every)]
    lines = every[:MAX_PROBLEMS]
    more = len(every) - len(lines)
    if more > 0:
        lines.append(f"... and {more} more")
    return lines


def build_line(report: BuildReport) -> str:
    return f"rebuilt {report.rendered} of {plural(report.cards, 'card')} in {report.seconds:.2f} s"
