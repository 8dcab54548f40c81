"""review-nlu: the messages the NLU did not understand or was unsure about, as a review file.

The file is Rasa NLU training data in form (version "3.1") so that a reviewer can edit it and
copy what they approve, but it is not training data: it lives outside the repository (a path
inside it is refused), and only the sentences a person read, corrected and approved are
copied into ``data/nlu/``. Each group of messages is an ``- intent:`` entry with the NLU's
best guess, under a comment giving its count, why it is there, the intents and confidences
and the languages. Phone numbers, e-mail addresses and ICEs are masked (kb.learning).
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Final, TextIO

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from admin.common import EXIT_INVALID, EXIT_OK, CommandError, short_error
from admin.retention import DEFAULT_ENDPOINTS, open_tracker, tracker_store_url
from core import settings
from kb.conversations import EVENTS
from kb.learning import DEFAULT_THRESHOLD, ReviewGroup, not_understood
from kb.session import display_url

#: Days read back by default (--since).
DEFAULT_DAYS: Final = 30
HEADER: Final = """\
# ASMEX assistant: messages to review (python -m actions.admin review-nlu).
# NOT training data. Read each group, fix its intent, delete what should not be learnt,
# then copy only the sentences you approved into data/nlu/ (and never this file).
# Phone numbers, e-mail addresses and ICEs are masked: <phone>, <email>, <ice>, <number>.
"""


def inside_repository(path: Path) -> bool:
    """Whether ``path`` (once symbolic links are followed) is in the project's directory."""
    root = settings.PROJECT_ROOT.resolve()
    target = path.expanduser().resolve()
    return target == root or root in target.parents


def _comment(group: ReviewGroup) -> str:
    intents = ", ".join(f"{name} {confidence:.2f}" for name, confidence in group.intents)
    languages = ", ".join(f"{code} {count}" for code, count in group.languages)
    plural = "message" if group.count == 1 else "messages"
    return (
        f"# {group.count} {plural}, {group.reason.replace('_', ' ')}, "
        f"confidence {group.confidence:.2f}; top intents: {intents}; languages: {languages}"
    )


def review_yaml(groups: list[ReviewGroup], *, days: int, threshold: float, at: datetime) -> str:
    """The review file's text: one ``- intent:`` entry per group, the largest first."""
    lines = [
        HEADER.rstrip("\n"),
        f"# {len(groups)} groups, last {days} days to {at:%Y-%m-%d %H:%M} UTC, "
        f"threshold {threshold:.2f}.",
        'version: "3.1"',
    ]
    if not groups:
        lines.append("nlu: []")
        return "\n".join(lines) + "\n"
    lines.append("nlu:")
    for group in groups:
        text = " ".join(group.text.split())
        lines += [_comment(group), f"- intent: {group.guess}", "  examples: |", f"    - {text}"]
    return "\n".join(lines) + "\n"


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (it quotes members)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def cmd_review_nlu(args: argparse.Namespace, out: TextIO) -> int:
    """Write the review file of the messages not understood, or read with low confidence."""
    target = Path(args.out)
    if inside_repository(target):
        raise CommandError(
            f"{args.out}: the review file must live outside the repository "
            f"({settings.PROJECT_ROOT}): it quotes members; only approved sentences go to data/",
            EXIT_INVALID,
        )
    if args.since <= 0:
        raise CommandError("--since must be a positive number of days", EXIT_INVALID)
    if not 0.0 < args.threshold <= 1.0:
        raise CommandError("--threshold must be between 0 and 1", EXIT_INVALID)
    endpoints = Path(args.endpoints) if args.endpoints else DEFAULT_ENDPOINTS
    url = tracker_store_url(endpoints)
    groups: list[ReviewGroup] = []
    if url is not None:
        engine = open_tracker(url)
        try:
            if inspect(engine).has_table(EVENTS.name):
                with engine.connect() as connection:
                    groups = not_understood(
                        connection,
                        since=time.time() - args.since * 86400,
                        threshold=args.threshold,
                    )
        except SQLAlchemyError as exc:
            raise CommandError(
                f"conversations database {display_url(str(url))}: {short_error(exc)}"
            ) from exc
        finally:
            engine.dispose()
    text = review_yaml(
        groups, days=args.since, threshold=args.threshold, at=datetime.now(timezone.utc)
    )
    try:
        _write_private(target, text)
    except OSError as exc:
        raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    messages = sum(group.count for group in groups)
    out.write(f"{len(groups)} groups ({messages} messages) written to {args.out}\n")
    return EXIT_OK


def add_review_arguments(parser: argparse.ArgumentParser) -> None:
    """review-nlu's arguments."""
    parser.add_argument(
        "--out", required=True, metavar="PATH", help="the review file, outside the repository"
    )
    parser.add_argument(
        "--since",
        type=int,
        default=DEFAULT_DAYS,
        metavar="DAYS",
        help=f"the messages of the last DAYS days (default: {DEFAULT_DAYS})",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"a top intent under this confidence is 'unsure' (default: {DEFAULT_THRESHOLD})",
    )
    parser.add_argument(
        "--endpoints",
        metavar="FILE",
        help="the Rasa server's endpoints file, whose tracker_store holds the conversations "
        "(default: endpoints.yml)",
    )
