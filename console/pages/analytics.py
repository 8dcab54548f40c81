"""Analytics, for admins: messages per day by channel and language, top intents, the share
not understood, registrations per event, handoff times and ratings, as server-drawn SVG
charts; and the messages to review, from kb.learning.not_understood (review-nlu's function).

The conversations are read from Rasa's tracker store (read-only), the rest from the
database; a period of 7, 30 or 90 days ending today (Morocco), 30 by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console.auth import guard
from console.charts import horizontal_bars, stacked_days
from console.i18n import STRINGS, Translator
from console.render import error_page, render
from console.web import console_of, in_db, language_of
from core.settings import TIMEZONE
from kb import analytics
from kb.conversations import EVENTS
from kb.learning import DEFAULT_THRESHOLD, ReviewGroup, not_understood

PERIODS: Final = (7, 30, 90)
DEFAULT_PERIOD: Final = 30
#: Groups of messages to review listed on the page (review-nlu writes them all).
REVIEW_LIMIT: Final = 50


@dataclass(frozen=True)
class Conversations:
    """What the page reads from the tracker store (None: no SQL store configured)."""

    figures: analytics.ConversationFigures
    review: list[ReviewGroup]


def _stored(engine: Engine) -> bool:
    """Whether the store holds Rasa's events table (an SQLite file is never created here)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return False
    return inspect(engine).has_table(EVENTS.name)


def read_conversations(engine: Engine | None, days: tuple[date, ...]) -> Conversations | None:
    """The period's figures and the groups to review; None without a conversation store."""
    if engine is None:
        return None
    if not _stored(engine):
        empty = analytics.count_messages([], days=days, threshold=DEFAULT_THRESHOLD)
        return Conversations(figures=empty, review=[])
    since = analytics.start_of(days[0]).timestamp()
    with engine.connect() as connection:
        figures = analytics.conversation_figures(connection, days=days, threshold=DEFAULT_THRESHOLD)
        review = not_understood(
            connection, since=since, threshold=DEFAULT_THRESHOLD, limit=REVIEW_LIMIT
        )
    return Conversations(figures=figures, review=review)


def _database_figures(
    session: Session, *, since: datetime, until: datetime
) -> tuple[list[analytics.EventRegistrations], analytics.HandoffFigures]:
    return (
        analytics.registrations_per_event(session),
        analytics.handoff_figures(session, since=since, until=until),
    )


def _period(value: str | None) -> int | None:
    if value is None:
        return DEFAULT_PERIOD
    return int(value) if value in {str(p) for p in PERIODS} else None


def _name(t: Translator, prefix: str, key: str) -> str:
    full = f"{prefix}{key}"
    return t(full) if full in STRINGS else key


def _charts(t: Translator, conversations: Conversations | None, events: list, rtl: bool) -> dict:
    charts: dict[str, Any] = {}
    if conversations is not None and conversations.figures.total:
        figures = conversations.figures
        languages = {code: _name(t, "lang_", code) for code in figures.by_language}
        languages["?"] = t("lang_unknown")
        charts["by_channel"] = stacked_days(
            figures.days, figures.by_channel, title=t("analytics_by_channel"), rtl=rtl
        )
        charts["by_language"] = stacked_days(
            figures.days,
            figures.by_language,
            title=t("analytics_by_language"),
            rtl=rtl,
            names=languages,
        )
        if figures.top_intents:
            charts["intents"] = horizontal_bars(
                [(name, float(count)) for name, count in figures.top_intents],
                title=t("analytics_top_intents"),
                rtl=rtl,
            )
        share = figures.not_understood_share
        if share is not None:
            unsure = figures.unsure / figures.read
            charts["share"] = horizontal_bars(
                [(t("analytics_not_understood"), share), (t("analytics_unsure"), unsure)],
                title=t("analytics_share"),
                rtl=rtl,
                shown=[f"{share:.1%}", f"{unsure:.1%}"],
            )
    if events:
        charts["registrations"] = horizontal_bars(
            [(e.titles.get(t.language) or e.slug, float(e.total)) for e in events],
            title=t("analytics_registrations"),
            rtl=rtl,
        )
    return charts


@guard(role="admin")
async def dashboard(request: Request) -> Response:
    """The analytics page; 400 for a period other than 7, 30 or 90 days."""
    days = _period(request.query_params.get("days"))
    if days is None:
        return error_page(request, 400)
    console = console_of(request)
    last_day = console.now().astimezone(TIMEZONE).date()
    period = analytics.day_range(last_day, days)
    since = analytics.start_of(period[0])
    until = analytics.start_of(last_day + timedelta(days=1))
    conversations = await run_in_threadpool(read_conversations, console.tracker, period)
    events, handoffs = await in_db(request, _database_figures, since=since, until=until)
    t = Translator(language_of(request))
    return render(
        request,
        "analytics.html",
        {
            "days": days,
            "periods": PERIODS,
            "conversations": conversations,
            "events": events,
            "handoffs": handoffs,
            "charts": _charts(t, conversations, events, t.direction == "rtl"),
            "strings": STRINGS,
        },
    )


routes = [Route("/analytics", dashboard, methods=["GET"], name="analytics")]
