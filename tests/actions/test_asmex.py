"""ASMEX itself (action_asmex): every fact of data/kb/asmex.yml answered in fr, ar, Darija and
en with its value and source; the asked detail of a past event (action_mission_details);
asmex.yml's problems named by item and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from actions.asmex import ActionAsmex
from actions.missions import ActionMissionDetails
from kb.facts import load_facts
from kb.files.kb_schema import KBError, validate_kb
from nlu.vocabulary.event_details import asked_detail
from tests.actions.info_support import ROOT, entity, render, run, tracker

FACTS = load_facts()

#: A member's question per fact and language (a Darija one where given): "ar" questions in
#: MSA, "ary" in Darija (Arabic script), "ary_lat" in Arabizi; answered in ar for both Darija.
QUESTIONS: dict[str, dict[str, str]] = {
    "asmex-identity": {
        "fr": "c'est quoi l'ASMEX ?",
        "ar": "ما هي ASMEX؟",
        "ary": "شنو هي asmex؟",
        "en": "what is ASMEX?",
    },
    "asmex-former-name": {
        "fr": "quel était l'ancien nom de l'ASMEX ?",
        "ar": "ما هو الاسم القديم لASMEX؟",
        "en": "what was ASMEX's former name?",
    },
    "asmex-president": {
        "fr": "qui est le président de l'ASMEX ?",
        "ar": "من هو رئيس ASMEX؟",
        "ary": "شكون الرئيس ديال asmex؟",
        "ary_lat": "chkoun ra2is dyal asmex?",
        "en": "who is the president of ASMEX?",
    },
    "asmex-director-general": {
        "fr": "qui est le directeur général de l'ASMEX ?",
        "ar": "من هو المدير العام لASMEX؟",
        "ary_lat": "chkoun l directeur general dyal asmex?",
        "en": "who is ASMEX's director general?",
    },
    "asmex-regional-committee": {
        "fr": "qui préside la commission dynamique régionale ?",
        "ar": "من يرأس لجنة الدينامية الجهوية؟",
        "en": "who chairs the regional dynamics committee?",
    },
    "asmex-regional-delegates": {
        "fr": "qui sont les délégués régionaux de l'ASMEX ?",
        "ar": "من هم المندوبون الجهويون لASMEX؟",
        "ary": "شكون هوما المندوبين ديال asmex؟",
        "en": "who are ASMEX's regional delegates?",
    },
    "partnership-fcmcis": {
        "fr": "l'ASMEX a une convention avec les chambres de commerce ?",
        "ar": "هل لASMEX اتفاقية مع غرف التجارة؟",
        "en": "does ASMEX have an agreement with the chambers of commerce?",
    },
    "partnership-hktdc": {
        "fr": "quel partenariat avec le HKTDC ?",
        "ar": "ما هي الشراكة مع HKTDC؟",
        "ary_lat": "wach asmex 3ndha chi charaka m3a hong kong?",
        "en": "what partnership with the HKTDC?",
    },
    "partnership-mississippi": {
        "fr": "quel partenariat avec le Mississippi ?",
        "ar": "ما هي الشراكة مع ميسيسيبي؟",
        "en": "what partnership with Mississippi?",
    },
    "proposals-secretary-of-state-2025": {
        "fr": "quelles propositions l'ASMEX a faites ?",
        "ar": "ما هي مقترحات ASMEX؟",
        "ary_lat": "chno homa les propositions dyal asmex?",
        "en": "what proposals did ASMEX make?",
    },
    "meeting-secretary-of-state-2025": {
        "fr": "l'ASMEX a rencontré Omar Hjira quand ?",
        "ar": "متى التقت ASMEX بكاتب الدولة حجيرة؟",
        "en": "when did ASMEX meet the Secretary of State Hjira?",
    },
    "plan-secretary-of-state-2025": {
        "fr": "quel est le plan d'actions pour les champions nationaux ?",
        "ar": "ما هي خطة الأبطال الوطنيين؟",
        "en": "what is the action plan for national champions?",
    },
    "regional-offices-tijaria-2025": {
        "fr": "quels bureaux régionaux ont été annoncés ?",
        "ar": "ما هي المكاتب الجهوية المعلن عنها؟",
        "en": "which regional offices were announced?",
    },
    "zlecaf-forum-commitment": {
        "fr": "que fera l'ASMEX pour le salon Made in Africa ?",
        "ar": "ما دور ASMEX في معرض صنع في إفريقيا؟",
        "en": "what will ASMEX do for the Made in Africa fair?",
    },
    "african-missions": {
        "fr": "quelles missions en Afrique avant le Kenya : Angola, Ghana ?",
        "ar": "ما هي البعثات السابقة إلى أنغولا وغانا؟",
        "ary_lat": "asmex mchat l ghana w angola?",
        "en": "which previous missions, Angola, Ghana?",
    },
    "asia-outlook": {
        "fr": "quelle demande en Chine, en Inde, en Corée ?",
        "ar": "ما هو الطلب في الصين والهند وكوريا؟",
        "en": "what demand in China, India and Korea?",
    },
    "regions-strategy": {
        "fr": "quelle étude sur le potentiel inexploité de 15 milliards ?",
        "ar": "ما هي الدراسة حول الإمكانات غير المستغلة؟",
        "en": "what study of the untapped potential?",
    },
    "delegations-received": {
        "fr": "quelles délégations étrangères l'ASMEX a reçues ?",
        "ar": "ما هي الوفود التي استقبلتها ASMEX؟",
        "ary": "شكون هوما الوفود اللي استقبلات asmex؟",
        "en": "which foreign delegations has ASMEX hosted?",
    },
}
#: Reply language of each variety.
REPLY = {"fr": "fr", "ar": "ar", "ary": "ar", "ary_lat": "ar", "en": "en"}
CASES = [(fact_id, v) for fact_id, qs in QUESTIONS.items() for v in qs]


def test_every_fact_has_questions_in_three_languages() -> None:
    assert {f.id for f in FACTS.facts} == set(QUESTIONS)
    for fact_id, questions in QUESTIONS.items():
        assert {"fr", "ar", "en"} <= set(questions), fact_id


@pytest.mark.parametrize(("fact_id", "variety"), CASES)
async def test_each_fact_answered_with_value_source_and_date(
    kb: Engine, fact_id: str, variety: str
) -> None:
    lang = REPLY[variety]
    fact = FACTS.fact(fact_id)
    assert fact is not None
    t = tracker(intent="ask_asmex", text=QUESTIONS[fact_id][variety], lang=lang)
    messages, _ = await run(ActionAsmex(), t)
    answered = [m for m in messages if m["response"] == "utter_asmex_fact"]
    assert fact.text[lang] in {m["fact"] for m in answered}, [m["fact"][:60] for m in answered]
    reply = "\n".join(r["text"] for r in render(messages, lang))
    assert fact.value[lang] in reply
    assert fact.source.title in reply
    assert str(fact.date.year) in reply
    source_word = {"fr": "Source :", "ar": "المصدر:", "en": "Source:"}[lang]
    assert source_word in reply


async def test_a_question_the_facts_do_not_answer_says_so_and_gives_the_overview(
    kb: Engine,
) -> None:
    t = tracker(intent="ask_asmex", text="combien de salariés a l'ASMEX ?", lang="fr")
    messages, _ = await run(ActionAsmex(), t)
    assert [m["response"] for m in messages] == [
        "utter_asmex_unknown",
        "utter_asmex_fact",
        "utter_asmex_fact",
    ]
    reply = "\n".join(r["text"] for r in render(messages, "fr"))
    assert "pas cette information" in reply and "Hassan Sentissi" in reply


@pytest.mark.parametrize(
    ("text", "entities", "lang", "words"),
    [
        (
            "qui a dirigé la délégation américaine reçue par l'asmex ?",
            {"country": "US"},
            "fr",
            "Bill Cork",
        ),
        ("who led the HKTDC delegation ASMEX hosted?", {}, "en", "do not say who led"),
    ],
)
async def test_asmex_question_about_a_past_delegation_gets_its_detail(
    kb: Engine, text: str, entities: dict[str, str], lang: str, words: str
) -> None:
    ents = [entity(k, v) for k, v in entities.items()]
    t = tracker(intent="ask_asmex", text=text, entities=ents, lang=lang)
    messages, _ = await run(ActionAsmex(), t)
    assert messages[-1]["response"] == "utter_mission_past_facts"
    assert words in render(messages, lang)[0]["text"]


# --- past events: the asked detail first --------------------------------------------------

PAST_DETAILS = [
    # (text, entities, lang, response first, words of the first reply)
    (
        "qui a conduit la délégation du Mississippi ?",
        {"event_type": "delegation"},
        "fr",
        "utter_mission_detail_led_by",
        "Bill Cork",
    ),
    (
        "شكون قاد الوفد ديال ميسيسيبي؟",
        {"event_type": "delegation"},
        "ar",
        "utter_mission_detail_led_by",
        "بيل كورك",
    ),
    (
        "who led the delegation from the United States?",
        {"event_type": "delegation", "country": "US"},
        "en",
        "utter_mission_detail_led_by",
        "Bill Cork",
    ),
    (
        "quels secteurs a couverts la mission à Nairobi ?",
        {"event_type": "mission", "country": "KE"},
        "fr",
        "utter_mission_detail_sectors",
        "tourisme",
    ),
    (
        "chmen 9ita3at kanou f mission dyal Kenya?",
        {"event_type": "mission", "country": "KE"},
        "ar",
        "utter_mission_detail_sectors",
        "السياحة",
    ),
    (
        "when did the Hong Kong delegation come?",
        {"event_type": "delegation", "country": "HK"},
        "en",
        "utter_mission_detail_date",
        "7 July 2025",
    ),
    (
        "فوقاش جا الوفد ديال هونغ كونغ؟",
        {"event_type": "delegation", "country": "HK"},
        "ar",
        "utter_mission_detail_date",
        "7 يوليوز 2025",
    ),
    (
        "qu'est-ce qui a été retenu avec le HKTDC ?",
        {},
        "fr",
        "utter_mission_detail_outcomes",
        "salons à Hong Kong",
    ),
    (
        "who attended the council of regions?",
        {},
        "en",
        "utter_mission_detail_participants",
        "Mohamed Fadlam",
    ),
]


@pytest.mark.parametrize(("text", "entities", "lang", "first", "words"), PAST_DETAILS)
async def test_past_event_asked_detail_comes_first(
    kb: Engine, text: str, entities: dict[str, str], lang: str, first: str, words: str
) -> None:
    ents = [entity(k, v) for k, v in entities.items()]
    t = tracker(intent="ask_mission_details", text=text, entities=ents, lang=lang)
    messages, _ = await run(ActionMissionDetails(), t)
    assert [m["response"] for m in messages] == [first, "utter_mission_past_facts"]
    rendered = render(messages, lang)
    assert words in rendered[0]["text"]
    assert "📰" in rendered[1]["text"]


@pytest.mark.parametrize(
    ("text", "lang", "said"),
    [
        ("qui a conduit la délégation du HKTDC ?", "fr", "ne disent pas qui a conduit"),
        ("من قاد وفد HKTDC؟", "ar", "لا تذكر مصادرنا من قاد"),
        ("who led the HKTDC delegation?", "en", "do not say who led"),
    ],
)
async def test_a_detail_the_sources_lack_is_said_plainly_with_what_is_known(
    kb: Engine, text: str, lang: str, said: str
) -> None:
    t = tracker(
        intent="ask_mission_details",
        text=text,
        entities=[entity("event_type", "delegation")],
        lang=lang,
    )
    messages, _ = await run(ActionMissionDetails(), t)
    assert [m["response"] for m in messages] == [
        "utter_mission_detail_missing_led_by",
        "utter_mission_past_facts",
    ]
    rendered = [r["text"] for r in render(messages, lang)]
    assert said in rendered[0]
    assert "2025" in rendered[1] and "HKTDC" in rendered[1]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("qui a conduit la délégation", "led_by"),
        ("شكون جا مع الوفد", "participants"),
        ("what came out of it", "outcomes"),
        ("fo9ach ja lwafd", "date"),
        ("quels secteurs", "sectors"),
        ("la mission de Nairobi", None),
    ],
)
def test_asked_detail(text: str, detail: str | None) -> None:
    assert asked_detail(text) == detail


# --- asmex.yml checked: problems by item and field -----------------------------------------

BROKEN = """facts:
  - id: ok
    topic: identity
    keywords: [quoi]
    value: "ASMEX"
    text: {fr: "ASMEX fr", ar: "ASMEX ar", en: "ASMEX en"}
    date: 2025-01-01
    source: seed-003
  - id: ok
    topic: gossip
    keywords: []
    value: "absent"
    text: {fr: "texte", en: "text"}
    date: 2025-13-01
    source: nowhere
events:
  - slug: no-such-event
    names: [x]
    origin: XX
    led_by: {fr: "a", ar: "b", en: "c"}
    source: seed-003
"""


def _kb_copy(tmp_path: Path, asmex: str) -> Path:
    for name in ("sources", "events"):
        (tmp_path / f"{name}.yml").write_text(
            (ROOT / "data" / "kb" / f"{name}.yml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    (tmp_path / "asmex.yml").write_text(asmex, encoding="utf-8")
    return tmp_path


def test_a_broken_facts_file_names_every_problem(tmp_path: Path) -> None:
    directory = _kb_copy(tmp_path, BROKEN)
    with pytest.raises(KBError) as raised:
        load_facts(directory)
    problems = "\n".join(raised.value.problems)
    for expected in (
        "asmex.yml, facts, item 2, field id: duplicate 'ok' (first at item 1)",
        "asmex.yml, facts, item 2, field topic:",
        "asmex.yml, facts, item 2, field keywords:",
        "asmex.yml, facts, item 2, field text.ar: missing required field",
        "asmex.yml, facts, item 2, field date:",
        "asmex.yml, facts, item 2, field source:",
        "asmex.yml, events, item 1, field origin:",
    ):
        assert expected in problems, problems


def test_load_kb_refuses_a_broken_facts_file(tmp_path: Path) -> None:
    directory = _kb_copy(tmp_path, BROKEN)
    with pytest.raises(KBError) as raised:
        validate_kb(directory, set())
    problems = "\n".join(raised.value.problems)
    assert "asmex.yml, events, item 1, field slug: unknown event 'no-such-event'" in problems
    assert "asmex.yml, facts, item 2, field topic:" in problems


def test_a_value_missing_from_its_text_is_refused(tmp_path: Path) -> None:
    text = BROKEN.split("  - id: ok\n    topic: gossip")[0].replace('value: "ASMEX"', 'value: "Z"')
    with pytest.raises(KBError) as raised:
        load_facts(_kb_copy(tmp_path, text))
    assert "field value.fr: 'Z' is not in text.fr" in str(raised.value)


def test_the_real_file_loads(kb: Engine) -> None:
    assert len(FACTS.facts) >= 15
    assert {e.slug for e in FACTS.events} >= {
        "mississippi-delegation-casablanca-2025",
        "hktdc-delegation-casablanca-2025",
    }
