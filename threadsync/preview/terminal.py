"""What ``preview`` and ``watch`` print: the validation result, as ``validate`` words it."""

from __future__ import annotations

from threadsync.output.escape import terminal_text
from threadsync.output.verdict import plural
from threadsync.output.verdict import verdict as problems_verdict
from threadsync.preview.site import BuildReport
from threadsync.preview.snapshot import Snapshot

MAX_PROBLEMS = 20


def verdict(snap: Snapshot) -> str:
    """E.g. '8 posts valid (1 draft)' or '2 errors, 1 warning in 2 files'."""
    drafts = sum(1 for p in snap.posts if p.draft)
    return problems_verdict(snap.problems, posts=len(snap.posts), drafts=drafts)


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
