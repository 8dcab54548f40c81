"""scripts/chat.py: `make run`'s terminal chat, a client of the REST channel like any other."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))
import chat  # noqa: E402

EVENTS = [
    {
        "text": f"📌 {title}",
        "buttons": [
            {"title": "Détails", "payload": f'/ask_mission_details{{"event_slug": "{slug}"}}'},
            {"title": "M'inscrire", "payload": f'/register_mission{{"event_slug": "{slug}"}}'},
        ],
    }
    for title, slug in (("Mission à Dakar", "dakar"), ("Mission à Abidjan", "abidjan"))
]
ICS = {"type": "ics", "filename": "abidjan.ics", "content": "BEGIN:VCALENDAR\nSUMMARY:x\n"}


def test_a_list_of_events_is_numbered_as_the_channel_reads_a_number() -> None:
    lines = chat.render([{"text": "Voici les prochains événements (2) :"}, *EVENTS])
    assert lines == [
        "Voici les prochains événements (2) :",
        "1. 📌 Mission à Dakar",
        "   [Détails] [M'inscrire]",
        "2. 📌 Mission à Abidjan",
        "   [Détails] [M'inscrire]",
    ]


def test_one_messages_buttons_are_numbered_choices_never_payloads() -> None:
    lines = chat.render(
        [
            {
                "text": "بأي لغة تريد أن أجيبك؟",
                "buttons": [
                    {"title": "Français", "payload": '/choose_language{"language": "fr"}'},
                    {"title": "العربية", "payload": '/choose_language{"language": "ar"}'},
                    {"title": "Site", "payload": "https://asmex.org"},
                ],
            }
        ]
    )
    assert lines == [
        "بأي لغة تريد أن أجيبك؟",
        "   1. Français",
        "   2. العربية",
        "   🔗 Site: https://asmex.org",
    ]
    assert not any("/choose_language" in line for line in lines)


def test_a_calendar_file_is_named_not_dumped() -> None:
    lines = chat.render([{"text": "📅 Voici le fichier agenda"}, {"custom": ICS}])
    assert lines == ["📅 Voici le fichier agenda", "📅 abidjan.ics"]
    assert chat.render([{"custom": {"text": "hi"}}]) == ["hi"]
    assert chat.render([{"text": "ok", "buttons": [{"title": "Aide", "payload": "/help"}]}]) == [
        "ok",
        "   [Aide]",
    ]


class FakeRest:
    """A REST channel that records what it receives and answers from a script."""

    def __init__(self, answers: list[tuple[int, Any]]) -> None:
        self.answers, self.received = answers, []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.received.append((self.path, self.headers["Authorization"], json.loads(body)))
                status, answer = fake.answers.pop(0)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(answer).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def run_chat(
    rest: FakeRest, typed: str, env: dict[str, str], env_file: Path
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "REST_TOKEN"}
    command = [sys.executable, str(SCRIPTS / "chat.py"), rest.url, "--sender", "me"]
    try:
        return subprocess.run(
            [*command, "--env-file", str(env_file)],
            input=typed,
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        rest.server.shutdown()


def test_the_chat_sends_what_is_typed_with_the_token(tmp_path: Path) -> None:
    rest = FakeRest(
        [
            (200, [{"recipient_id": "me", "text": "Voici :"}, *EVENTS]),
            (200, [{"recipient_id": "me", "text": "📌 Mission à Abidjan"}, {"custom": ICS}]),
            (429, [{"recipient_id": "me", "text": "Patientez quelques secondes"}]),
        ]
    )
    typed = "missions\n\n2\nencore\n/stop\nnot sent\n"
    result = run_chat(rest, typed, {"REST_TOKEN": "tok"}, tmp_path / "no.env")
    assert result.returncode == 0, result.stderr
    assert [(path, auth, body["message"]) for path, auth, body in rest.received] == [
        ("/webhooks/rest/webhook", "Bearer tok", "missions"),
        ("/webhooks/rest/webhook", "Bearer tok", "2"),  # the channel resolves the choice
        ("/webhooks/rest/webhook", "Bearer tok", "encore"),
    ]
    assert {body["sender"] for _, _, body in rest.received} == {"me"}
    assert "2. 📌 Mission à Abidjan" in result.stdout and "📅 abidjan.ics" in result.stdout
    assert "Patientez quelques secondes" in result.stdout
    assert "BEGIN:VCALENDAR" not in result.stdout and "/ask_mission_details" not in result.stdout


def test_a_refused_token_is_explained(tmp_path: Path) -> None:
    rest = FakeRest([(401, {"error": "Authorization: Bearer <REST_TOKEN> is required"})])
    result = run_chat(rest, "bonjour\n", {"REST_TOKEN": "wrong"}, tmp_path / "no.env")
    assert result.returncode == 1
    assert "REST_TOKEN" in result.stderr and "make setup" in result.stderr


def test_the_token_is_read_from_env_when_the_environment_has_none(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("REST_TOKEN=from-the-file\n")
    rest = FakeRest([(200, [{"recipient_id": "me", "text": "Bonjour"}])])
    result = run_chat(rest, "bonjour\n", {"REST_TOKEN": ""}, tmp_path / ".env")
    assert result.returncode == 0 and "Bonjour" in result.stdout
    assert [auth for _, auth, _ in rest.received] == ["Bearer from-the-file"]


def test_without_a_token_the_chat_says_how_to_get_one(tmp_path: Path) -> None:
    rest = FakeRest([])
    result = run_chat(rest, "bonjour\n", {"REST_TOKEN": ""}, tmp_path / "no.env")
    assert result.returncode == 1 and "make setup" in result.stderr
    assert rest.received == []
