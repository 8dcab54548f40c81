"""NUL and control characters in what a member types, on both stacks: PostgreSQL cannot store a
NUL in a text column (psycopg2 refuses the statement), so the channels drop control characters
before Rasa sees the message (core/text.py). A registration whose answers carry NULs is stored
without them; the hostile corpus's NUL cases get replies, never a 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from kb.session import make_engine
from tests.e2e.conftest import Stack
from tests.e2e.hostile import rest_corpus
from tests.e2e.members import Person, RestMember, register
from tests.e2e.test_conversations import DAKAR, registrations, valid_ice

pytestmark = pytest.mark.model

NUL_MEMBER = Person(
    channel_user_id="nul-bytes-member",
    display_name="Nadia Nul",
    company="Nul\x00 Export\x00 SARL",
    ice=valid_ice("0042424242000"),
    contact="Nadia\x00 Alaoui",
    email="nadia@nul-export.example",
    phone_typed="0661\x00908172",
    phone="+212661908172",
    lang="fr",
)


@pytest.fixture(scope="module")
def database(stack: Stack) -> Iterator[Engine]:
    engine = make_engine(stack.database_url)
    yield engine
    engine.dispose()


def test_a_registration_typed_with_nul_bytes_is_stored_without_them(
    stack: Stack, database: Engine
) -> None:
    register(RestMember(stack.servers, NUL_MEMBER), DAKAR, "je veux m'inscrire\x00 à une mission")
    (saved,) = registrations(database, phone="+212661908172")
    assert (saved.company_name, saved.contact_name) == ("Nul Export SARL", "Nadia Alaoui")


def test_the_nul_cases_of_the_hostile_corpus_get_replies(stack: Stack) -> None:
    cases = [c for c in rest_corpus() if c.expect == 200 and b"\\u0000" in c.body]
    assert len(cases) >= 10
    for case in cases:
        status, body = stack.servers.post_rest(case.body, query=case.query)
        assert status == 200, (case.kind, case.body[:80], status, body[:200])
        if not case.query:
            replies = json.loads(body)
            assert replies and any(r.get("text") or r.get("buttons") for r in replies), case.body
