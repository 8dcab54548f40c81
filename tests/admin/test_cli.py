"""The admin CLI end to end, through main(argv), on a temporary SQLite database."""

from __future__ import annotations

import csv
import io
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin import cli as admin
from kb import notifications
from kb.alerts import subscribe_alerts
from kb.events import get_event_by_slug
from kb.models import Event, NotificationSent
from kb.registrations import create_registration
from kb.session import make_engine
from kb.users import get_or_create_user, set_user_language
from kb.views import EventView
from outbound import notify
from tests.conftest import Clock
from tests.support.notify import FakeNotifier

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EVENTS = FIXTURES / "events"
TODAY = date(2026, 1, 15)


class Run:
    """Result of one CLI call."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    code = admin.main(list(argv), out=out, err=err)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture()
def db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An initialised database with the fixture KB, named through --database-url."""
    monkeypatch.setitem(sys.modules, "nlu.vocabulary.gazetteer", None)
    result = run("--database-url", db_url, "init-db", "--kb-dir", str(FIXTURES / "kb"))
    assert result.code == 0, result.err
    return db_url


def snapshot(url: str) -> list[tuple]:
    engine = make_engine(url)
    with Session(engine) as s:
        rows = [
            (e.slug, e.city, e.capacity, tuple(e.sectors), e.status, e.title_ar)
            for e in s.scalars(select(Event).order_by(Event.slug))
        ]
    engine.dispose()
    return rows


def event(url: str, slug: str) -> EventView | None:
    engine = make_engine(url)
    with Session(engine) as s:
        found = get_event_by_slug(s, slug=slug, today=TODAY)
    engine.dispose()
    return found


def test_init_db_is_idempotent(db: str) -> None:
    again = run("--database-url", db, "init-db", "--kb-dir", str(FIXTURES / "kb"))
    assert again.code == 0
    assert "events: 0 created, 0 updated, 2 unchanged" in again.out
    assert len(snapshot(db)) == 2


def test_database_url_from_environment(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db)
    assert run("import-events", str(EVENTS / "good.yml")).code == 0
    assert len(snapshot(db)) == 5


def test_import_good_yaml_then_reimport(db: str) -> None:
    first = run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    assert first.code == 0, first.err
    assert first.out.strip() == "3 created, 0 updated, 0 unchanged"
    again = run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    assert again.out.strip() == "0 created, 0 updated, 3 unchanged"
    updated = run("--database-url", db, "import-events", str(EVENTS / "updated.yml"))
    assert updated.out.strip() == "1 created, 1 updated, 1 unchanged"
    dakar = event(db, "dakar-agrifood-2027")
    assert dakar and dakar.city == "Thiès" and dakar.capacity == 40
    assert dakar.sectors == ("agrifood",) and dakar.description is None and dakar.fee_mad is None
    assert len(snapshot(db)) == 2 + 4


def test_import_good_csv_with_bom_and_arabic(db: str) -> None:
    result = run("--database-url", db, "import-events", str(EVENTS / "good.csv"))
    assert result.code == 0, result.err
    assert result.out.strip() == "2 created, 0 updated, 0 unchanged"
    forum = event(db, "casablanca-pharma-forum-2026")
    assert forum and forum.title.ar == "منتدى الصناعة الدوائية بالدار البيضاء"
    assert forum.sectors == ("pharma", "chemicals")


def test_dry_run_writes_nothing(db: str) -> None:
    before = snapshot(db)
    result = run("--database-url", db, "import-events", str(EVENTS / "good.yml"), "--dry-run")
    assert result.code == 0 and "would be 3 created" in result.out
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "bad_rows.yml",
            [
                "row 2, field country: unknown country code 'XX'",
                "row 3, field colour: unknown field",
                "row 4, field slug: duplicate slug",
            ],
        ),
        (
            "bad_rows.csv",
            [
                "row 3, field country: unknown country code 'ZZ'",
                "row 4, field slug: missing required field",
            ],
        ),
        ("not_yaml.yml", ["file: not valid YAML"]),
        ("no_events_key.yml", ["file: expected a top-level 'events' list"]),
        ("empty.yml", ["file: file is empty"]),
        ("unknown_column.csv", ["row 1, field colour: unknown column"]),
        ("not_utf8.csv", ["file: not UTF-8 text"]),
    ],
)
def test_bad_files_exit_2_and_write_nothing(db: str, name: str, expected: list[str]) -> None:
    before = snapshot(db)
    result = run("--database-url", db, "import-events", str(EVENTS / name))
    assert result.code == 2
    assert result.out == ""
    for line in expected:
        assert any(err_line.startswith(line) for err_line in result.err.splitlines()), result.err
    assert "Traceback" not in result.err
    assert snapshot(db) == before


def test_bad_rows_after_good_rows_write_nothing(db: str, tmp_path: Path) -> None:
    good = (EVENTS / "good.yml").read_text(encoding="utf-8")
    path = tmp_path / "mixed.yml"
    path.write_text(
        good.replace("country: MA\n    city: Marrakech", "country: XX\n    city: Marrakech"),
        encoding="utf-8",
    )
    result = run("--database-url", db, "import-events", str(path))
    assert result.code == 2 and "row 2, field country" in result.err
    assert event(db, "dakar-agrifood-2027") is None


def test_unknown_source_is_reported_by_row(db: str, tmp_path: Path) -> None:
    path = tmp_path / "src.yml"
    text = (EVENTS / "good.yml").read_text(encoding="utf-8")
    path.write_text(text.replace("sample: true", "source: nope"), encoding="utf-8")
    result = run("--database-url", db, "import-events", str(path))
    assert result.code == 2 and "row 3, field source: unknown source id 'nope'" in result.err
    ok = tmp_path / "src-ok.yml"
    ok.write_text(text.replace("sample: true", "source: seed-003"), encoding="utf-8")
    assert run("--database-url", db, "import-events", str(ok)).code == 0


def test_unknown_extension_missing_file_and_format_option(db: str, tmp_path: Path) -> None:
    txt = tmp_path / "events.txt"
    shutil.copy(EVENTS / "good.yml", txt)
    refused = run("--database-url", db, "import-events", str(txt))
    assert refused.code == 2 and "unknown file extension" in refused.err
    assert run("--database-url", db, "import-events", str(txt), "--format", "yaml").code == 0
    missing = run("--database-url", db, "import-events", str(tmp_path / "nope.yml"))
    assert missing.code == 2 and "cannot read" in missing.err


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_export_then_reimport_round_trip(db: str, tmp_path: Path, db_url: str, fmt: str) -> None:
    run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    run("--database-url", db, "import-events", str(EVENTS / "good.csv"))
    run("--database-url", db, "close-event", "gitex-africa-2026")
    before = snapshot(db)
    target = tmp_path / f"export.{'yml' if fmt == 'yaml' else 'csv'}"
    exported = run("--database-url", db, "export-events", str(target))
    assert exported.code == 0 and "7 events written" in exported.out
    assert (
        run("--database-url", db, "import-events", str(target)).out.strip()
        == "0 created, 0 updated, 7 unchanged"
    )
    # into a fresh database: the same data comes back
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert run("--database-url", fresh, "init-db", "--kb-dir", str(FIXTURES / "kb")).code == 0
    assert run("--database-url", fresh, "import-events", str(target)).code == 0
    assert snapshot(fresh) == before


def test_export_to_stdout(db: str) -> None:
    result = run("--database-url", db, "export-events")
    assert result.code == 0 and result.out.startswith("events:\n")
    csv_out = run("--database-url", db, "export-events", "--format", "csv")
    assert csv_out.out.startswith("slug,type,title_fr")


def test_close_event(db: str) -> None:
    run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    closed = run("--database-url", db, "close-event", "dakar-agrifood-2027")
    assert closed.code == 0 and "closed" in closed.out
    found = event(db, "dakar-agrifood-2027")
    assert found and found.status == "closed"
    assert "already closed" in run("--database-url", db, "close-event", "dakar-agrifood-2027").out
    unknown = run("--database-url", db, "close-event", "nope")
    assert unknown.code == 1 and unknown.err.strip() == "error: no event with slug 'nope'"


def _register(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as s:
        for n, company in enumerate(["Argan SA", '=HYPERLINK("x")', "شركة الأطلس"], 1):
            user = get_or_create_user(s, channel="telegram", channel_user_id=str(n))
            create_registration(
                s,
                event_slug="dakar-agrifood-2027",
                user_id=user.id,
                company_name=company,
                ice="001234567000089",
                contact_name="Amina",
                email="amina@example.ma",
                phone="+212600000000",
                sector="agrifood",
                today=TODAY,
            )
        s.commit()
    engine.dispose()


def test_registrations_list_and_export(db: str, tmp_path: Path) -> None:
    run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    assert run("--database-url", db, "list-registrations").out.strip() == "no registrations"
    _register(db)
    table = run("--database-url", db, "list-registrations", "--event", "dakar-agrifood-2027")
    assert table.code == 0 and "Argan SA" in table.out and "3 registrations" in table.out
    target = tmp_path / "regs.csv"
    exported = run("--database-url", db, "export-registrations", str(target))
    assert exported.code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == list(admin.REGISTRATION_COLUMNS)
    assert [r["company_name"] for r in rows] == ["Argan SA", '\'=HYPERLINK("x")', "شركة الأطلس"]
    assert (
        rows[0]["event_title"] == "Mission agroalimentaire à Dakar"
        and rows[0]["ice"] == "001234567000089"
    )
    unknown = run("--database-url", db, "list-registrations", "--event", "nope")
    assert unknown.code == 1 and "no event with slug 'nope'" in unknown.err


@pytest.mark.parametrize(
    "url",
    ["postgresql://asmex:secret@127.0.0.1:1/asmex", "sqlite:////nonexistent-dir/sub/asmex.db"],
)
@pytest.mark.parametrize(
    "command",
    [
        ["init-db"],
        ["list-registrations"],
        ["import-events", str(EVENTS / "good.yml")],
        ["notify-pending"],
        ["notify-pending", "--dry-run"],
        ["release-claims"],
    ],
)
def test_unreachable_database_exit_1_with_one_line(url: str, command: list[str]) -> None:
    result = run("--database-url", url, *command)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot open database")
    assert "secret" not in result.err and "Traceback" not in result.err


def test_uninitialised_database_is_refused(db_url: str) -> None:
    result = run("--database-url", db_url, "close-event", "x")
    assert result.code == 1 and "init-db" in result.err


def test_help_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in [
        "init-db",
        "load-kb",
        "import-events",
        "export-events",
        "list-registrations",
        "export-registrations",
        "close-event",
        "notify-pending",
        "release-claims",
    ]:
        with pytest.raises(SystemExit) as exit_info:
            admin.main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage:" in capsys.readouterr().out


def test_alerts_asked_for_new_events_only(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(
        admin, "alert_new_events", lambda engine, slugs, out: calls.append(list(slugs))
    )
    run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    run("--database-url", db, "import-events", str(EVENTS / "updated.yml"))
    run("--database-url", db, "import-events", str(EVENTS / "good.csv"), "--dry-run")
    run("--database-url", db, "import-events", str(EVENTS / "good.yml"))  # nothing new
    assert calls == [
        ["dakar-agrifood-2027", "gitex-africa-2026", "export-webinar-2025"],
        ["nairobi-b2b-2027"],
    ]


def test_events_counted_in_database(db: str) -> None:
    engine = make_engine(db)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 2
    engine.dispose()


# --- alerts and reminders --------------------------------------------------------------------


@pytest.fixture()
def channels(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeNotifier]:
    """A fake Telegram notifier in place of the configured channels (none: set it to {})."""
    configured: dict[str, FakeNotifier] = {"telegram": FakeNotifier()}

    def from_environment() -> dict[str, FakeNotifier]:
        return dict(configured)

    monkeypatch.setattr(notify, "notifiers_from_environment", from_environment)
    return configured


def subscribe_user(url: str, chat: str, **filters: str) -> None:
    """A Telegram user subscribed now to alerts with ``filters``."""
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        user = get_or_create_user(s, channel="telegram", channel_user_id=chat)
        subscribe_alerts(s, user_id=user.id, **filters)
    engine.dispose()


def statuses(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    with Session(engine) as s:
        found = [(n.kind, n.status) for n in s.scalars(select(NotificationSent))]
    engine.dispose()
    return sorted(found)


def test_import_sends_one_alert_per_matching_subscriber_once(
    db: str, channels: dict[str, FakeNotifier]
) -> None:
    subscribe_user(db, "111", country="SN")
    subscribe_user(db, "111", sector="logistics")  # same user, second matching subscription
    subscribe_user(db, "222", country="KE")
    first = run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    assert first.code == 0, first.err
    telegram = channels["telegram"]
    assert [(m.recipient, m.key.split(":")[0]) for _, m in telegram.sent] == [("111", "alert")]
    assert "Mission agroalimentaire à Dakar" in telegram.sent[0][1].text
    assert "alerts: alert        telegram         sent 1  failed 0  skipped 0" in first.out
    assert telegram.closed

    channels["telegram"] = again = FakeNotifier()
    assert run("--database-url", db, "import-events", str(EVENTS / "good.yml")).code == 0
    updated = run("--database-url", db, "import-events", str(EVENTS / "updated.yml"))
    assert [m.recipient for _, m in again.sent] == ["222"]  # nairobi-b2b-2027 is new, in KE
    assert "sent 1" in updated.out
    assert statuses(db) == [("alert", "sent"), ("alert", "sent")]


def test_no_channel_configured_leaves_alerts_pending(
    db: str, channels: dict[str, FakeNotifier]
) -> None:
    subscribe_user(db, "111")
    telegram = channels.pop("telegram")
    imported = run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    assert "2 alerts pending, no channel configured: run notify-pending" in imported.out
    assert statuses(db) == []

    channels["telegram"] = telegram
    dry = run("--database-url", db, "notify-pending", "--dry-run")
    assert dry.code == 0 and telegram.attempts == [] and statuses(db) == []
    listed = [line for line in dry.out.splitlines() if line.startswith("would send")]
    assert len(listed) == 2 and "gitex-africa-2026" in listed[0] and "dakar" in listed[1]
    assert "dry run, nothing sent: 2 would be sent, 0 skipped" in dry.out

    sent = run("--database-url", db, "notify-pending")
    assert sent.code == 0 and len(telegram.sent) == 2
    assert "alert        telegram         sent 2  failed 0  skipped 0" in sent.out
    assert run("--database-url", db, "notify-pending").out == "nothing due\n"


def test_no_notify_then_notify_pending(db: str, channels: dict[str, FakeNotifier]) -> None:
    subscribe_user(db, "111", event_type="fair")
    imported = run("--database-url", db, "import-events", str(EVENTS / "good.yml"), "--no-notify")
    assert "alert" not in imported.out and channels["telegram"].attempts == []
    run("--database-url", db, "notify-pending")
    assert [m.recipient for _, m in channels["telegram"].sent] == ["111"]


def test_users_of_other_channels_are_skipped_and_stay_due(
    db: str, channels: dict[str, FakeNotifier]
) -> None:
    engine = make_engine(db)
    with Session(engine) as s, s.begin():
        user = get_or_create_user(s, channel="rest", channel_user_id="web")
        subscribe_alerts(s, user_id=user.id, country="SN")
    engine.dispose()
    imported = run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    assert "alert        rest             sent 0  failed 0  skipped 1" in imported.out
    assert "skipped, no notifier configured for: rest (1)" in imported.out
    dry = run("--database-url", db, "notify-pending", "--dry-run")
    assert "would skip" in dry.out and "(no notifier for rest)" in dry.out


def test_notify_pending_sends_reminders(
    db: str, channels: dict[str, FakeNotifier], clock: Clock
) -> None:
    run("--database-url", db, "import-events", str(EVENTS / "good.yml"))
    engine = make_engine(db)
    with Session(engine) as s, s.begin():
        user = get_or_create_user(s, channel="telegram", channel_user_id="333")
        set_user_language(s, user_id=user.id, language="ar")
        create_registration(
            s, event_slug="gitex-africa-2026", user_id=user.id, company_name="Atlas", today=TODAY
        )
    engine.dispose()
    clock.set("2026-04-13")  # gitex starts on 2026-04-14
    result = run("--database-url", db, "notify-pending")
    assert "reminder_1d  telegram         sent 1" in result.out
    (message,) = [m for _, m in channels["telegram"].sent]
    assert "جيتكس إفريقيا" in message.text and "غدًا" in message.text
    assert run("--database-url", db, "notify-pending").out == "nothing due\n"


def test_leftover_claims_reported_then_released_and_retried(
    db: str, channels: dict[str, FakeNotifier]
) -> None:
    subscribe_user(db, "111", country="SN")
    run("--database-url", db, "import-events", str(EVENTS / "good.yml"), "--no-notify")
    engine = make_engine(db)
    with Session(engine) as s, s.begin():
        (due,) = notifications.find_due_alerts(s, today=TODAY)
        notifications.claim_notification(
            s, kind="alert", user_id=due.user_id, event_id=due.event.id
        )
    engine.dispose()

    report = run("--database-url", db, "notify-pending")
    assert channels["telegram"].attempts == [] and report.out.startswith("nothing due")
    assert "1 notifications claimed by an earlier run were never confirmed" in report.out
    assert "claimed alert user" in report.out and "dakar-agrifood-2027" in report.out

    recent = run("--database-url", db, "release-claims")  # claimed just now: kept
    assert "0 claims released" in recent.out
    released = run("--database-url", db, "release-claims", "--older-than", "0")
    assert "1 claims released" in released.out and statuses(db) == [("alert", "failed")]
    assert run("--database-url", db, "notify-pending").out == "nothing due\n"
    retried = run("--database-url", db, "notify-pending", "--retry-failed")
    assert "sent 1" in retried.out and statuses(db) == [("alert", "sent")]
