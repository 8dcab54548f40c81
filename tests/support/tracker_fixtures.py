"""Known conversations for the learning loop and analytics tests: real messages in French,
Arabic, Darija (both scripts) and English, an erased member, a handoff, a button."""

from __future__ import annotations

from datetime import datetime, timezone

from tests.support.tracker_events import Conversations, action, restart, user

#: A day of messages in French, Arabic, Darija (both scripts) and English, relative to ``now``.
FALLBACK_EAC = [("nlu_fallback", 0.3), ("ask_market", 0.28), ("list_missions", 0.2)]


def members_messages(now: float) -> Conversations:
    """Messages of five members, an erased one, a handoff and a button (learning loop tests).

    Understood: the greetings. Not understood: the EAC question (twice, spelled two ways),
    the question about ASMEX's president. Unsure: the Darija ones (0.45, 0.52). Masked: the
    phone, e-mail and ICE. Left out: the erased member, the message a person handled, the
    button's payload, the message older than a week.
    """
    hour = 3600.0
    return (
        Conversations()
        .add(
            "telegram:101",
            user("Bonjour", at=now - 5 * hour, intent="greet", confidence=0.99, language="fr"),
            user(
                "Quels secteurs sont demandés dans l'EAC ?",
                at=now - 5 * hour + 10,
                intent="nlu_fallback",
                confidence=0.3,
                language="fr",
                ranking=FALLBACK_EAC,
            ),
            user(
                '/register_mission{"event": "gitex-africa-2026"}',
                at=now - 5 * hour + 20,
                intent="register_mission",
                confidence=1.0,
                language="fr",
            ),
        )
        .add(
            "whatsapp:212600000002",
            user(
                "quels secteurs sont demandes dans l'EAC",
                at=now - 4 * hour,
                intent="nlu_fallback",
                confidence=0.3,
                language="fr",
                ranking=FALLBACK_EAC,
                channel="whatsapp",
            ),
            user(
                "بغيت نعرف واش كاين الطلب على زيت الزيتون ف COMESA",
                at=now - 4 * hour + 30,
                intent="ask_market",
                confidence=0.45,
                language="ary",
                ranking=[("ask_market", 0.45), ("list_missions", 0.3)],
                channel="whatsapp",
            ),
        )
        .add(
            "telegram:103",
            user(
                "ma bghitch les alertes 3afak",
                at=now - 3 * hour,
                intent="subscribe_alerts",
                confidence=0.52,
                language="ary",
                ranking=[("subscribe_alerts", 0.52), ("unsubscribe_alerts", 0.4)],
            ),
            user(
                "من هو رئيس الجمعية؟",
                at=now - 3 * hour + 5,
                intent="nlu_fallback",
                confidence=0.3,
                language="ar",
                ranking=[("nlu_fallback", 0.3), ("ask_asmex", 0.25)],
            ),
        )
        .add(
            "rest:104",
            user(
                "appelez moi au 0612345678 ou karim.benali@exemple.ma, ICE 001525478000032",
                at=now - 2 * hour,
                intent="nlu_fallback",
                confidence=0.3,
                language="fr",
                ranking=[("nlu_fallback", 0.3), ("handoff", 0.29)],
                channel="rest",
            ),
            user("thanks", at=now - 2 * hour + 5, intent="thank", confidence=0.97, language="en"),
            user(
                "wach kayn chi salon f Dubai had l3am",
                at=now - 9 * 24 * hour,
                intent="nlu_fallback",
                confidence=0.3,
                language="ary",
                ranking=[("nlu_fallback", 0.3), ("list_missions", 0.27)],
                channel="rest",
            ),
        )
        .add(  # erased: the store kept the conversation from the restart on
            "telegram:105",
            restart(at=now - 6 * hour),
            user(
                "Fatima Zahra, 0661234567, je ne comprends pas",
                at=now - 6 * hour + 5,
                intent="nlu_fallback",
                confidence=0.3,
                language="fr",
            ),
        )
        .add(  # an erasure whose save failed: the action is stored, nothing else erased
            "telegram:106",
            user(
                "supprimer tout svp",
                at=now - 7 * hour,
                intent="nlu_fallback",
                confidence=0.2,
                language="fr",
            ),
            action("action_delete_my_data", at=now - 7 * hour + 1),
        )
        .add(
            "telegram:107",
            user(
                "Merci beaucoup Madame, je vous envoie le dossier",
                at=now - hour,
                intent="nlu_fallback",
                confidence=0.3,
                language="fr",
                metadata={"handled_by_person": True},
            ),
        )
    )


def at(moment: str) -> float:
    """Seconds since the epoch of a UTC time written 2026-01-14T10:00."""
    return datetime.fromisoformat(moment).replace(tzinfo=timezone.utc).timestamp()


def known_week() -> Conversations:
    """Eight messages in the last 7 days (Morocco's days, UTC+1), one 14 days old, and an
    erased member's message that is never counted."""
    return (
        Conversations()
        .add(
            "telegram:1",
            user(
                "Bonjour", at=at("2026-01-13T09:00"), intent="greet", confidence=0.99, language="fr"
            ),
            user(
                "Salut", at=at("2026-01-13T09:05"), intent="greet", confidence=0.98, language="fr"
            ),
            user(
                "/register_mission",
                at=at("2026-01-14T10:00"),
                intent="register_mission",
                confidence=1.0,
                language="fr",
            ),
            user(
                "Salut", at=at("2026-01-01T09:00"), intent="greet", confidence=0.98, language="fr"
            ),
        )
        .add(
            "whatsapp:212600000001",
            user(
                "wach kayn chi salon f Nairobi",
                at=at("2026-01-13T12:00"),
                intent="nlu_fallback",
                confidence=0.3,
                language="ary",
                channel="whatsapp",
                ranking=[("nlu_fallback", 0.3), ("list_missions", 0.28)],
            ),
            user(
                "السلام",
                at=at("2026-01-15T08:00"),
                intent="greet",
                confidence=0.9,
                language="ary",
                channel="whatsapp",
            ),
        )
        .add(
            "telegram:2",
            user(
                "ما هي الأسواق الواعدة للنسيج؟",
                at=at("2026-01-14T11:00"),
                intent="ask_market",
                confidence=0.4,
                language="ar",
                ranking=[("ask_market", 0.4), ("list_missions", 0.3)],
            ),
        )
        .add(
            "rest:3",
            user(
                "thanks",
                at=at("2026-01-14T12:00"),
                intent="thank",
                confidence=0.97,
                language="en",
                channel="rest",
            ),
            # 23:30 UTC on the 14th is 00:30 on the 15th in Morocco
            user(
                "hello",
                at=at("2026-01-14T23:30"),
                intent="greet",
                confidence=0.95,
                language="en",
                channel="rest",
            ),
        )
        .add(
            "telegram:9",
            restart(at=at("2026-01-15T07:00")),
            user(
                "effacé",
                at=at("2026-01-15T07:01"),
                intent="nlu_fallback",
                confidence=0.3,
                language="fr",
            ),
        )
    )
