"""review-nlu: the review file, in Rasa's NLU format, outside the repository only."""

from __future__ import annotations

import io
import stat
import time
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from admin import cli as admin
from core import settings
from tests.support.tracker_events import tracker_engine
from tests.support.tracker_fixtures import members_messages


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = admin.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def endpoints(tmp_path: Path) -> Path:
    """An endpoints file whose tracker store holds the members' messages."""
    database = tmp_path / "tracker.db"
    engine = tracker_engine(database)
    members_messages(time.time()).store(engine)
    engine.dispose()
    file = tmp_path / "endpoints.yml"
    file.write_text(f"tracker_store:\n  type: sql\n  dialect: sqlite\n  db: {database}\n")
    return file


def test_the_review_file_loads_with_rasas_nlu_reader(tmp_path: Path, endpoints: Path) -> None:
    review = tmp_path / "review" / "nlu-review.yml"
    review.parent.mkdir()
    code, out, err = run(
        "review-nlu", "--out", str(review), "--endpoints", str(endpoints), "--since", "7"
    )
    assert (code, err) == (0, "")
    assert out == f"5 groups (6 messages) written to {review}\n"
    text = review.read_text(encoding="utf-8")
    assert stat.S_IMODE(review.stat().st_mode) == 0o600
    data = RasaYAMLReader().reads(text)
    examples = {(m.get("intent"), m.get("text")) for m in data.intent_examples}
    assert ("ask_market", "Quels secteurs sont demandés dans l'EAC ?") in examples
    assert ("ask_market", "بغيت نعرف واش كاين الطلب على زيت الزيتون ف COMESA") in examples
    assert ("ask_asmex", "من هو رئيس الجمعية؟") in examples
    assert ("subscribe_alerts", "ma bghitch les alertes 3afak") in examples
    assert ("handoff", "appelez moi au <phone> ou <email>, ICE <ice>") in examples
    assert len(data.intent_examples) == 5
    assert (
        "# 2 messages, not understood, confidence 0.30; top intents: nlu_fallback 0.30; "
        "languages: fr 2\n- intent: ask_market\n"
    ) in text
    assert (
        "# 1 message, unsure, confidence 0.45; top intents: ask_market 0.45; languages: ary 1"
        in (text)
    )
    assert "only the sentences you approved into data/nlu/" in text
    for secret in ("0612345678", "karim", "Fatima", "Madame", "Dubai"):
        assert secret not in text


def test_by_default_the_last_30_days(tmp_path: Path, endpoints: Path) -> None:
    review = tmp_path / "r.yml"
    code, out, _err = run("review-nlu", "--out", str(review), "--endpoints", str(endpoints))
    assert (code, out) == (0, f"6 groups (7 messages) written to {review}\n")
    assert "wach kayn chi salon f Dubai had l3am" in review.read_text(encoding="utf-8")


def test_a_higher_threshold_and_a_shorter_period(tmp_path: Path, endpoints: Path) -> None:
    review = tmp_path / "r.yml"
    argv = ("review-nlu", "--out", str(review), "--endpoints", str(endpoints), "--since", "1")
    assert run(*argv, "--threshold", "0.5")[1] == f"4 groups (5 messages) written to {review}\n"


@pytest.mark.parametrize("inside", ["review.yml", "data/nlu/review.yml", "."])
def test_a_path_inside_the_repository_is_refused(
    inside: str, tmp_path: Path, endpoints: Path
) -> None:
    target = settings.PROJECT_ROOT / inside
    existed = target.exists()
    code, out, err = run("review-nlu", "--out", str(target), "--endpoints", str(endpoints))
    assert (code, out) == (2, "")
    assert "must live outside the repository" in err
    assert target.exists() == existed


def test_a_symbolic_link_into_the_repository_is_refused(tmp_path: Path, endpoints: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(settings.PROJECT_ROOT)
    code, _out, err = run("review-nlu", "--out", str(link / "x.yml"), "--endpoints", str(endpoints))
    assert code == 2 and "outside the repository" in err
    assert not (settings.PROJECT_ROOT / "x.yml").exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--since", "0", "--since must be"), ("--threshold", "1.5", "--threshold must be")],
)
def test_bad_options(
    option: str, value: str, message: str, tmp_path: Path, endpoints: Path
) -> None:
    code, _out, err = run(
        "review-nlu", "--out", str(tmp_path / "r.yml"), "--endpoints", str(endpoints), option, value
    )
    assert code == 2 and message in err


def test_an_empty_store_writes_an_empty_review(tmp_path: Path) -> None:
    database = tmp_path / "empty.db"
    tracker_engine(database).dispose()
    file = tmp_path / "endpoints.yml"
    file.write_text(f"tracker_store:\n  type: sql\n  dialect: sqlite\n  db: {database}\n")
    review = tmp_path / "r.yml"
    assert run("review-nlu", "--out", str(review), "--endpoints", str(file))[0] == 0
    assert RasaYAMLReader().reads(review.read_text()).intent_examples == []


def test_no_database_where_the_endpoints_say(tmp_path: Path) -> None:
    file = tmp_path / "endpoints.yml"
    file.write_text(f"tracker_store:\n  type: sql\n  dialect: sqlite\n  db: {tmp_path}/none.db\n")
    code, _out, err = run("review-nlu", "--out", str(tmp_path / "r.yml"), "--endpoints", str(file))
    assert code == 1 and "no conversations database" in err
