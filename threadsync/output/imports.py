"""What ``import`` matched, as terminal text and as JSON."""

from __future__ import annotations

from threadsync.importer import ImportResult
from threadsync.output.escape import terminal_text


def import_data(result: ImportResult, dry_run: bool) -> dict[str, object]:
    return {
        "matched": [
            {
                "id": m.post_id,
                "media_ids": [x.id if x else None for x in m.media],
                "complete": m.complete,
            }
            for m in result.matched
        ],
        "unmatched_posts": result.unmatched_posts,
        "unmatched_account_posts": result.unmatched_remote,
        "dry_run": dry_run,
    }


def render_import_text(result: ImportResult, dry_run: bool) -> str:
    lines = []
    for m in result.matched:
        ids = ", ".join(terminal_text(x.id) if x else "?" for x in m.media)
        note = "" if m.complete else "  (some thread parts not found: apply publishes them)"
        lines.append(f"  matched {terminal_text(m.post_id)} -> {ids}{note}")
    for pid in result.unmatched_posts:
        lines.append(
            f"  not on the account: {terminal_text(pid)} (apply publishes it when it is due)"
        )
    lines.append(
        f"Import: {len(result.matched)} matched, {len(result.unmatched_posts)} content "
        f"post(s) not found, {result.unmatched_remote} account post(s) not in content."
        + (" Dry run: nothing written." if dry_run else "")
    )
    return "\n".join(lines) + "\n"
