"""Alerts on new events and reminders: sent after an import, notify-pending, release-claims."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from admin.common import EXIT_OK, open_database, short_error
from core import clock
from kb import notifications
from kb.models import utcnow
from outbound import notify


def alert_new_events(engine: Engine, slugs: Sequence[str], out: TextIO) -> None:
    """After an import committed: send the alerts for the events it created, or say they wait.

    Alerts not sent here (no channel configured, a user's channel without a notifier, a
    settings error) stay due: notify-pending sends them later.
    """
    outcome = asyncio.run(notify.alert_new_events(engine, slugs, today=clock.today()))
    if outcome.error is not None:
        out.write(f"alerts not sent ({short_error(outcome.error)}): run notify-pending\n")
    elif outcome.summary is not None:
        out.writelines(f"alerts: {line}\n" for line in outcome.summary.lines())
    elif outcome.due:
        out.write(
            f"{outcome.due} alerts pending, no channel configured: run notify-pending once one is\n"
        )


def cmd_notify_pending(args: argparse.Namespace, out: TextIO) -> int:
    """Send the alerts and reminders that are due, or list them (--dry-run)."""
    engine = open_database(args.database_url)
    with Session(engine) as session:
        stuck = notifications.list_claimed(session)
    dues = notify.due_notifications(engine, today=clock.today(), retry_failed=args.retry_failed)
    notifiers = notify.notifiers_from_environment()
    if args.dry_run:
        asyncio.run(notify.close_all(notifiers))
        _write_plan(dues, notifiers, out)
    else:
        summary = asyncio.run(
            notify.send_due(engine, dues, notifiers, retry_failed=args.retry_failed)
        )
        out.writelines(f"{line}\n" for line in summary.lines())
    if stuck:
        out.write(
            f"{len(stuck)} notifications claimed by an earlier run were never confirmed "
            "(interrupted, or still running): not sent again. Check them, then "
            "release-claims and notify-pending --retry-failed to send them.\n"
        )
        out.writelines(
            f"  claimed {c.kind} user {c.user_id} event {c.event_slug} at "
            f"{c.claimed_at:%Y-%m-%d %H:%M}\n"
            for c in stuck
        )
    return EXIT_OK


def _write_plan(
    dues: Sequence[notifications.DueNotification], notifiers: Mapping[str, object], out: TextIO
) -> None:
    for due in dues:
        verb = "would send" if due.channel in notifiers else "would skip"
        note = "" if due.channel in notifiers else f" (no notifier for {due.channel})"
        retry = " (retry of a failed one)" if due.previous_status == "failed" else ""
        out.write(
            f"{verb:<10}  {due.kind:<11}  {due.channel:<12}  user {due.user_id:<6}  "
            f"{due.language}  {due.event.slug} in {due.days_left} days{retry}{note}\n"
        )
    sending = sum(1 for d in dues if d.channel in notifiers)
    out.write(
        f"dry run, nothing sent: {sending} would be sent, {len(dues) - sending} skipped "
        "(no notifier configured)\n"
    )


def cmd_release_claims(args: argparse.Namespace, out: TextIO) -> int:
    """Turn notifications left 'claimed' by an interrupted run into 'failed' ones."""
    engine = open_database(args.database_url)
    before = utcnow() - timedelta(minutes=args.older_than)
    with Session(engine) as session, session.begin():
        claimed = notifications.list_claimed(session, claimed_before=before)
        released = notifications.release_claims(session, claimed_before=before)
    out.writelines(f"released {c.kind} user {c.user_id} event {c.event_slug}\n" for c in claimed)
    out.write(f"{released} claims released: notify-pending --retry-failed sends them again\n")
    return EXIT_OK
