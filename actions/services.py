"""ASMEX and public services: Tijaria, the regional office and delegate, financing, membership."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Final

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.common import (
    AWAITING,
    apologise,
    ask_which,
    canonical_region,
    entity_values,
    reply_language,
)
from kb.access import DatabaseUnavailable, run_db
from kb.display import NONE, link_lines, procedure_block, sources_line
from kb.services import get_procedures, get_region, get_topic, list_regions
from kb.sources import source_titles
from kb.views import ProcedureView, RegionView, TopicView

REGION_SLOT: Final = "region"


# --- database work (run in a worker thread by run_db) ---------------------------------------


@dataclass(frozen=True)
class TopicAnswer:
    """A topic's short answer, its procedures and their source titles."""

    topic: TopicView | None
    procedures: tuple[ProcedureView, ...]
    sources: tuple[str, ...]


def topic_answer(session: Session, *, topic: str) -> TopicAnswer:
    """topics.yml entry ``topic`` (if any) and the procedures of the same topic."""
    view = get_topic(session, code=topic)
    procedures = get_procedures(session, topic=topic)
    ids = ([view.source_id] if view else []) + [p.source_id for p in procedures]
    return TopicAnswer(view, tuple(procedures), tuple(source_titles(session, ids=ids)))


@dataclass(frozen=True)
class RegionAnswer:
    """A region with the titles of the sources on its office and delegate."""

    region: RegionView
    sources: tuple[str, ...]


def region_answer(session: Session, *, code: str | None) -> RegionAnswer | None:
    """The region ``code`` and its source titles, or None (no code, or one the KB lacks)."""
    region = get_region(session, code=code) if code else None
    if region is None:
        return None
    ids = [region.office_source_id, region.delegate_source_id]
    return RegionAnswer(region, tuple(source_titles(session, ids=ids)))


def region_or_choices(
    session: Session, *, code: str | None
) -> tuple[RegionAnswer | None, list[RegionView]]:
    """The region asked about, or (None, every region) to offer a choice."""
    answer = region_answer(session, code=code)
    return answer, ([] if answer else list_regions(session))


# --- actions ---------------------------------------------------------------------------------


def _utter_topic(
    dispatcher: CollectingDispatcher,
    answer: TopicAnswer,
    lang: str,
    response: str,
    *,
    procedure_summaries: bool,
) -> None:
    """`response` (or `response`_no_link when the knowledge base has no link) with the topic."""
    if answer.topic is None and not answer.procedures:
        dispatcher.utter_message(response="utter_info_unavailable")
        return
    urls = ([answer.topic.url] if answer.topic else []) + [p.url for p in answer.procedures]
    links = link_lines(urls)
    # Links are listed once, at the end. Without summaries, a procedure without steps adds
    # nothing to the topic's text.
    blocks = [
        procedure_block(p, lang, summary=procedure_summaries, link=False)
        for p in answer.procedures
        if procedure_summaries or p.steps
    ]
    dispatcher.utter_message(
        response=response if links else f"{response}_no_link",
        title=answer.topic.title.get(lang) if answer.topic else NONE,
        body=answer.topic.body.get(lang) if answer.topic else NONE,
        procedures="\n\n".join(blocks) if blocks else NONE,
        links=links,
        sources=sources_line(answer.sources),
    )


class _TopicAction(Action, ABC):
    """Answer from one knowledge-base topic and its procedures (abstract: not registered)."""

    topic: str
    response: str
    procedure_summaries: bool

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            answer = await run_db(topic_answer, topic=self.topic)
        except DatabaseUnavailable:
            return apologise(dispatcher, self.name())
        _utter_topic(
            dispatcher,
            answer,
            reply_language(tracker),
            self.response,
            procedure_summaries=self.procedure_summaries,
        )
        return []


class ActionTijaria(_TopicAction):
    """Answer ask_tijaria: what the platform is and its procedures, with links if known."""

    topic, response, procedure_summaries = "tijaria", "utter_tijaria", True

    def name(self) -> str:
        return "action_tijaria"


class ActionFinancing(_TopicAction):
    """Answer ask_financing from the financing topic and procedures."""

    topic, response, procedure_summaries = "financing", "utter_financing", True

    def name(self) -> str:
        return "action_financing"


class ActionMembership(_TopicAction):
    """Answer ask_membership: who may join ASMEX and the steps (the topic says the rest)."""

    topic, response, procedure_summaries = "membership", "utter_membership", False

    def name(self) -> str:
        return "action_membership"


class ActionRegionalOffice(Action):
    """Answer ask_regional_office: the region's foreign-trade office and ASMEX delegate."""

    def name(self) -> str:
        return "action_regional_office"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        lang = reply_language(tracker)
        asked = entity_values(tracker, "region") or [
            v for v in [tracker.get_slot(REGION_SLOT)] if v
        ]
        code = await canonical_region(asked[0]) if asked else None
        try:
            answer, regions = await run_db(region_or_choices, code=code)
        except DatabaseUnavailable:
            return apologise(dispatcher, self.name())

        if answer is None:
            return ask_which(
                dispatcher,
                "utter_ask_region",
                awaiting="region",
                intent="ask_regional_office",
                choices=[(r.name.get(lang), {"region": r.code}) for r in regions],
            )

        region = answer.region
        values = dict(
            region_name=region.name.get(lang),
            office_name=region.office_name.get(lang) if region.office_name else NONE,
            office_status=region.office_status.get(lang) if region.office_status else NONE,
            sources=sources_line(answer.sources),
        )
        if region.delegate_name:
            dispatcher.utter_message(
                response="utter_regional_office",
                delegate_name=region.delegate_name,
                delegate_as_of=region.delegate_as_of.isoformat() if region.delegate_as_of else NONE,
                **values,
            )
        else:
            dispatcher.utter_message(response="utter_regional_office_no_delegate", **values)
        return [SlotSet(REGION_SLOT, region.code), SlotSet(AWAITING, None)]
