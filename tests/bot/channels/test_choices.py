"""Typed choices (bot/choices.py): which messages name a choice, and what they pick."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.shared.core.events import ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.slots import ListSlot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.choices import UNANSWERED, beyond, pick, resolve_choice, turn_choices
from nlu.vocabulary.ordinals import bare_number, choice_position
from tests.support.fake_platforms import (
    FakeTrackerStore,
    details_payload,
    event_cards,
    register_payload,
)

SLOTS = [TextSlot("language", mappings=[{}]), ListSlot("listed_events", mappings=[{}])]
EVENTS = ("dakar", "abidjan", "jackson", "lagos")


def tracker(*events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("u1", list(events), slots=SLOTS)


def event_list(*extra: Any) -> list[Any]:
    """The user asked for missions; the bot listed four events."""
    return [
        UserUttered("missions"),
        BotUttered("Voici les prochains événements (4) :"),
        *event_cards(*EVENTS),
        SlotSet("listed_events", list(EVENTS)),
        *extra,
    ]


def agent_with(conversation: DialogueStateTracker | None) -> SimpleNamespace:
    store = FakeTrackerStore()
    if conversation is not None:
        store.trackers["u1"] = conversation
    return SimpleNamespace(tracker_store=store)


# --- what names a choice -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("2", 2),
        (" 12 ", 12),
        ("3.", 3),
        ("4)", 4),
        ("٢", 2),
        ("١٠", 10),
        ("۳", 3),
        ("2️⃣", 2),
        ("la 2", 2),
        ("Le 3 svp", 3),
        ("numéro 2", 2),
        ("N° 4", 4),
        ("#1", 1),
        ("رقم ٢", 2),
        ("الرقم 3 عفاك", 3),
        ("raqm 2", 2),
        ("la deuxième", 2),
        ("La première !", 1),
        ("التانية", 2),
        ("الثانية من فضلك", 2),
        ("tania", 2),
        ("lwla afak", 1),
        ("the second one", 2),
        ("the first one", 1),
        ("The third one.", 3),
        ("fourth one please", 4),
        ("the last one", -1),
        ("la dernière", -1),
        ("number 2 please", 2),
    ],
)
def test_a_message_that_only_names_a_position(text: str, position: int) -> None:
    assert choice_position(text) == position


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "0",
        "123",
        "0612345678",
        "001234567000089",
        "2 et 3",
        "a1",
        "la",
        "bonjour",
        "2026",
        "la deuxième mission de Dakar",
        "missions au Kenya le mois prochain",
        "بغيت التانية ديال داكار",
        "deux",
        "no 2",
    ],
)
def test_other_messages_name_no_position(text: str | None) -> None:
    assert choice_position(text) is None


def test_bare_number() -> None:
    assert [bare_number(t) for t in ("2", "٢ ", "3.", "2️⃣")] == [2, 2, 3, 2]
    assert [bare_number(t) for t in ("la 2", "deux", "123", None)] == [None] * 4


# --- what a position picks -----------------------------------------------------------------------


def test_a_position_opens_that_event_of_the_list_just_shown() -> None:
    conversation = tracker(*event_list())
    assert pick(conversation, 2) == details_payload("abidjan")
    assert pick(conversation, 1) == details_payload("dakar")
    assert pick(conversation, -1) == details_payload("lagos")
    assert pick(conversation, 5) == beyond(4) == '/nlu_fallback{"choice_count": "4"}'


def test_a_position_picks_a_button_of_the_one_message_that_offered_several() -> None:
    buttons = [{"title": slug, "payload": register_payload(slug)} for slug in EVENTS]
    conversation = tracker(
        UserUttered("je veux m'inscrire"),
        BotUttered("À quel événement souhaitez-vous vous inscrire ?", {"buttons": buttons}),
        ActiveLoop("registration_form"),
    )
    assert pick(conversation, 2) == register_payload("abidjan")
    assert pick(conversation, -1) == register_payload("lagos")
    assert pick(conversation, 7) is None  # beyond the list: left to the form's checks


FORM_EVENTS = ("webinar", "abidjan", "nairobi", "hong-kong", "uae")


def form_asks_which_event(*before: Any) -> DialogueStateTracker:
    """The registration form refused the event named, then asked which one with a button per
    open event (utter_ask_event_slug), after a list of four events shown earlier."""
    buttons = [{"title": slug, "payload": register_payload(slug)} for slug in FORM_EVENTS]
    return tracker(
        *event_list(),
        *before,
        UserUttered(register_payload("dakar")),
        ActiveLoop("registration_form"),
        BotUttered("Les inscriptions à « Dakar » sont closes."),
        BotUttered("À quel événement souhaitez-vous vous inscrire ?", {"buttons": buttons}),
        SlotSet("listed_events", list(FORM_EVENTS)),
    )


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("2", "abidjan"),
        ("la 2", "abidjan"),
        ("٢", "abidjan"),
        ("رقم 2", "abidjan"),
        ("التانية", "abidjan"),
        ("tania", "abidjan"),
        ("5", "uae"),
        ("the last one", "uae"),
    ],
)
async def test_inside_the_form_a_position_picks_that_event_of_its_question(
    text: str, slug: str
) -> None:
    """Not the list shown before the form (four events), not "only 5 choices" for "2"."""
    agent = agent_with(form_asks_which_event())
    assert await resolve_choice(agent, "u1", text) == register_payload(slug)
    assert await resolve_choice(agent, "u1", text, numbers_shown=True) == register_payload(slug)


async def test_inside_the_form_a_position_beyond_its_question_goes_to_the_form() -> None:
    """The form's own check says how many events it offered (actions/registration)."""
    assert await resolve_choice(agent_with(form_asks_which_event()), "u1", "6") == "6"


def test_an_offer_after_the_items_is_one_more_item() -> None:
    offer = {"title": "M'abonner aux alertes", "payload": '/subscribe_alerts{"country": "JP"}'}
    conversation = tracker(
        UserUttered("missions au Japon"),
        BotUttered("Aucun événement à venir ne correspond."),
        *event_cards("dakar", "abidjan"),
        BotUttered("Voulez-vous être prévenu(e) ?", {"buttons": [offer]}),
    )
    assert turn_choices(conversation.events) == [
        details_payload("dakar"),
        details_payload("abidjan"),
        offer["payload"],
    ]


def test_links_are_not_choices() -> None:
    buttons = [
        {"title": "Site ASMEX", "payload": "https://www.asmex.org"},
        {"title": "Aide", "payload": "/help"},
        {"title": "Missions", "payload": "/ask_missions"},
    ]
    conversation = tracker(UserUttered("menu"), BotUttered("Menu", {"buttons": buttons}))
    assert turn_choices(conversation.events) == ["/help", "/ask_missions"]


def test_after_a_lone_button_a_position_still_means_the_list_shown_before() -> None:
    """Details of the first event (one "register" button), then "2": the second event."""
    conversation = tracker(
        *event_list(
            UserUttered(details_payload("dakar")),
            BotUttered(
                "📌 dakar, 7-10 décembre", {"buttons": [{"payload": register_payload("dakar")}]}
            ),
        )
    )
    assert turn_choices(conversation.events) == []
    assert pick(conversation, 2) == details_payload("abidjan")
    assert pick(conversation, 1) == details_payload("dakar")
    assert pick(conversation, 9) == beyond(4)  # the four events listed before


def test_only_the_latest_turn_offers_choices() -> None:
    buttons = [{"payload": "/a"}, {"payload": "/b"}]
    conversation = tracker(
        UserUttered("menu"),
        BotUttered("Lequel ?", {"buttons": buttons}),
        UserUttered("/a"),
        BotUttered("Votre téléphone ?"),
    )
    assert turn_choices(conversation.events) == []
    assert pick(conversation, 2) == UNANSWERED


async def test_inside_a_form_a_shown_number_beyond_the_buttons_goes_to_the_form() -> None:
    sectors = [{"title": f"Secteur {i}", "payload": f"/inform/{i}"} for i in range(1, 4)]
    conversation = tracker(
        ActiveLoop("registration_form"),
        UserUttered("0612345678"),
        BotUttered("Votre secteur ?", {"buttons": sectors}),
    )
    agent = agent_with(conversation)
    assert await resolve_choice(agent, "u1", "3", numbers_shown=True) == "/inform/3"
    assert await resolve_choice(agent, "u1", "7", numbers_shown=True) == "7"
    assert await resolve_choice(agent, "u1", "7") == "7"


async def test_a_form_waiting_for_an_answer_does_not_reopen_the_old_list() -> None:
    conversation = tracker(
        *event_list(
            ActiveLoop("registration_form"),
            UserUttered(register_payload("dakar")),
            BotUttered("Quel est le nom de votre entreprise ?"),
        )
    )
    assert pick(conversation, 2) is None
    assert await resolve_choice(agent_with(conversation), "u1", "la 2") == "la 2"


def test_no_conversation_no_list() -> None:
    assert pick(None, 1) == UNANSWERED
    assert beyond(1) == beyond(0) == UNANSWERED  # one button is a suggestion, not a list
    assert pick(tracker(UserUttered("bonjour"), BotUttered("Bonjour !")), 1) == UNANSWERED


# --- resolve_choice: what a channel hands Rasa ---------------------------------------------------


async def test_resolve_choice_in_every_language() -> None:
    agent = agent_with(tracker(*event_list()))
    for text in ("2", "la 2", "la deuxième", "رقم ٢", "التانية", "tania", "the second one"):
        assert await resolve_choice(agent, "u1", text) == details_payload("abidjan"), text


async def test_resolve_choice_leaves_other_messages_to_nlu() -> None:
    agent = agent_with(tracker(*event_list()))
    for text in ("bonjour", "missions au Kenya", "0612345678", "la deuxième mission de Dakar"):
        assert await resolve_choice(agent, "u1", text) == text
    assert await resolve_choice(None, "u1", "2") == "2"  # no tracker store to read


async def test_a_new_user_typing_a_number_gets_the_clarifying_question() -> None:
    assert await resolve_choice(agent_with(None), "u1", "1") == UNANSWERED


async def test_numbers_shown_pick_from_the_latest_message_as_displayed() -> None:
    """Twilio writes "1. Détails 2. M'inscrire" under every event: "2" is the last one's."""
    agent = agent_with(tracker(*event_list()))
    assert await resolve_choice(agent, "u1", "2", numbers_shown=True) == register_payload("lagos")
    # The last event's two buttons are the numbers shown.
    assert await resolve_choice(agent, "u1", "3", numbers_shown=True) == beyond(2)
    # Words name a position in the list, as on the other channels.
    assert await resolve_choice(agent, "u1", "la 2", numbers_shown=True) == details_payload(
        "abidjan"
    )
    # No buttons in the latest turn: the list shown before.
    after = tracker(*event_list(UserUttered("merci"), BotUttered("Avec plaisir !")))
    assert await resolve_choice(
        agent_with(after), "u1", "3", numbers_shown=True
    ) == details_payload("jackson")


# --- a typed region name answers the region question ---------------------------------------------

REGIONS = ("souss-massa", "oriental", "casablanca-settat", "fes-meknes")


def region_question() -> list[Any]:
    """A member asked for an adviser; the bot asked their region with one button each."""
    buttons = [
        {"title": r, "payload": "/handoff_region" + json.dumps({"region": r})} for r in REGIONS
    ]
    return [
        UserUttered("bghit nhder m3a chi wahed"),
        BotUttered("Votre région ?", data={"buttons": buttons}),
    ]


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Agadir", "souss-massa"),
        ("je suis à Agadir", "souss-massa"),
        ("أنا ف وجدة", "oriental"),
        ("من فاس", "fes-meknes"),
        ("ana f casa", "casablanca-settat"),
        ("Casablanca", "casablanca-settat"),
        ("Oujda please", "oriental"),
    ],
)
async def test_a_typed_city_or_region_picks_its_region_button(text: str, region: str) -> None:
    agent = agent_with(tracker(*region_question()))
    assert await resolve_choice(agent, "u1", text) == "/handoff_region" + json.dumps(
        {"region": region}
    )


async def test_a_region_named_without_the_region_question_is_left_to_nlu() -> None:
    agent = agent_with(tracker(*event_list()))
    assert await resolve_choice(agent, "u1", "Agadir") == "Agadir"
    assert await resolve_choice(agent_with(None), "u1", "Agadir") == "Agadir"


async def test_a_region_the_question_did_not_offer_or_two_regions_are_left_to_nlu() -> None:
    agent = agent_with(tracker(*region_question()))
    assert await resolve_choice(agent, "u1", "Laayoune") == "Laayoune"  # not among the buttons
    assert await resolve_choice(agent, "u1", "Agadir ou Oujda") == "Agadir ou Oujda"
    long = "je voudrais savoir s'il y a des missions pour les exportateurs d'Agadir"
    assert await resolve_choice(agent, "u1", long) == long
