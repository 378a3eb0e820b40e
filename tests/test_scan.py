"""`netra scan`: outputs, rejects and reconciliation, resume after kill -9, enqueue, report."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netra.cli import app

runner = CliRunner()


def feed_text(corpus_rows: list[dict], i: int) -> str:
    """Row i's text: a stride through the corpus (both labels, all writers; the file starts with
    everyday posts), made unique."""
    return corpus_rows[(i * 97) % len(corpus_rows)]["text"] + f" #{i}"


def write_feed(path: Path, corpus_rows: list[dict], rows: int, blank_every: int = 50) -> dict:
    """A CSV feed; every `blank_every`-th text is empty and one text is far too long."""
    expected = {"scored": 0, "rejected": 0}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["post_id", "author", "message", "created_at"])
        for i in range(rows):
            text = feed_text(corpus_rows, i)
            if i % blank_every == 7:
                text = "   "
            if i == 11:
                text = "x" * 6000
            expected["rejected" if not text.strip() or len(text) > 5000 else "scored"] += 1
            writer.writerow([f"p{i}", f"akun{i % 7}", text, f"2024-11-{1 + i % 9:02d}T08:00:00Z"])
    return expected


@pytest.fixture
def model_env(linear_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NETRA_HOME", str(tmp_path / "home"))
    return linear_model_dir


def scan(*args: str) -> dict:
    result = runner.invoke(app, ["scan", *args])
    assert result.exit_code == 0, result.output
    return result


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_row_is_scored_or_rejected_and_the_summary_reconciles(
    model_env, corpus_rows, tmp_path, linear_model
):
    feed = tmp_path / "feed.csv"
    expected = write_feed(feed, corpus_rows, 600)
    out = tmp_path / "out.jsonl"
    scan(
        str(feed),
        "-o",
        str(out),
        "--model",
        str(model_env),
        "--batch-size",
        "64",
        "--workers",
        "1",
        "--report",
        str(tmp_path / "r.html"),
    )
    rows = read_jsonl(out)
    rejects = read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")
    summary = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
    assert len(rows) == expected["scored"] and len(rejects) == expected["rejected"]
    assert (
        summary["rows_read"] == 600 == summary["rows_scored"] + summary["rows_rejected"]
        and summary["reconciled"]
    )
    assert sorted([r["row"] for r in rows] + [r["row"] for r in rejects]) == list(range(1, 601))
    assert {r["reason"] for r in rejects} == {
        "missing text",
        "text is 6000 characters, over the limit of 5000",
    }
    # Same scores as Classifier.predict: one model, two front doors.
    sample = rows[:20]
    texts = [feed_text(corpus_rows, r["row"] - 1) for r in sample]
    assert [r["score"] for r in sample] == [p.score for p in linear_model.predict(texts)]
    first = rows[0]
    assert first["author"].startswith("akun") and first["posted_at"].startswith("2024-11-")
    assert first["model_version"] == linear_model.version and set(first["categories"]) == set(
        linear_model.labels
    )
    flagged = [r for r in rows if r["flagged"]]
    assert flagged and all(1 <= len(r["evidence"]) <= 5 for r in flagged)
    report = (tmp_path / "r.html").read_text()
    assert "Laporan pemindaian Netra" in report and "data:image/png;base64," in report and "<mark" in report


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_other_output_formats(model_env, corpus_rows, tmp_path, fmt):
    feed = tmp_path / "feed.csv"
    expected = write_feed(feed, corpus_rows, 300)
    out = tmp_path / f"out.{fmt}"
    scan(
        str(feed),
        "-o",
        str(out),
        "--format",
        fmt,
        "--model",
        str(model_env),
        "--batch-size",
        "50",
        "--workers",
        "1",
        "--checkpoint-every",
        "100",
    )
    if fmt == "csv":
        with out.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert json.loads(rows[0]["categories"])
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(out).to_pylist()
    assert len(rows) == expected["scored"]


def test_two_feeds_and_worker_processes(model_env, corpus_rows, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    ea, eb = write_feed(a, corpus_rows, 250), write_feed(b, corpus_rows[100:], 180)
    out = tmp_path / "out.jsonl"
    scan(str(a), str(b), "-o", str(out), "--model", str(model_env), "--batch-size", "40", "--workers", "2")
    rows = read_jsonl(out)
    assert len(rows) == ea["scored"] + eb["scored"]
    assert [r["row"] for r in rows if r["feed"] == str(a)] == sorted(
        r["row"] for r in rows if r["feed"] == str(a)
    )


def test_resume_after_kill_minus_9_loses_and_duplicates_nothing(model_env, corpus_rows, tmp_path):
    feed = tmp_path / "feed.csv"
    expected = write_feed(feed, corpus_rows, 40_000)
    out = tmp_path / "out.jsonl"
    args = [
        str(feed),
        "-o",
        str(out),
        "--model",
        str(model_env),
        "--batch-size",
        "500",
        "--checkpoint-every",
        "2000",
        "--workers",
        "1",
        "--no-evidence",
    ]
    command = [sys.executable, "-m", "netra.cli", "scan", *args]
    env = {**os.environ, "NETRA_HOME": os.environ["NETRA_HOME"]}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoints = Path(env["NETRA_HOME"]) / "scans"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        files = list(checkpoints.glob("*.json")) if checkpoints.exists() else []
        if files and json.loads(files[0].read_text()).get("rows_done", 0) >= 6000:
            break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("no checkpoint appeared")
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = json.loads(files[0].read_text())
    assert not state["finished"], "the scan finished before it could be killed; make the feed larger"
    scan(*args, "--resume")
    rows = read_jsonl(out)
    rejects = read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")
    numbers = [r["row"] for r in rows] + [r["row"] for r in rejects]
    assert len(numbers) == len(set(numbers)) == 40_000  # nothing lost, nothing twice
    assert len(rows) == expected["scored"]
    summary = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
    assert summary["rows_read"] == 40_000 and summary["reconciled"]


def test_enqueue_puts_flagged_rows_in_the_review_queue(model_env, corpus_rows, tmp_path):
    from sqlalchemy import func, select
    from sqlalchemy.orm import sessionmaker

    from netra.serving.db import make_engine
    from netra.serving.settings import get_settings
    from netra.serving.tables import ReviewItem

    feed = tmp_path / "feed.csv"
    write_feed(feed, corpus_rows, 200)
    out = tmp_path / "out.jsonl"
    for _ in range(2):  # scanning twice does not duplicate queue items
        scan(str(feed), "-o", str(out), "--model", str(model_env), "--workers", "1", "--enqueue")
    flagged = sum(r["flagged"] for r in read_jsonl(out))
    engine = make_engine(get_settings().resolved_database_url)
    with sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(ReviewItem)) == flagged
        item = session.scalars(select(ReviewItem)).first()
        assert item.author.startswith("akun") and item.status == "pending"


def test_bad_arguments_fail_clearly(model_env, tmp_path):
    result = runner.invoke(
        app,
        ["scan", str(tmp_path / "missing.csv"), "-o", str(tmp_path / "o.jsonl"), "--model", str(model_env)],
    )
    assert result.exit_code == 2 and "feed not found" in result.output
    feed = tmp_path / "f.csv"
    feed.write_text("a,b\n1,2\n")
    result = runner.invoke(
        app, ["scan", str(feed), "-o", str(tmp_path / "o.jsonl"), "--model", str(model_env)]
    )
    assert result.exit_code == 2 and "text" in result.output
    result = runner.invoke(app, ["scan", str(feed), "-o", str(tmp_path / "o.jsonl"), "--format", "xml"])
    assert result.exit_code == 2 and "--format must be" in result.output


def test_ray_engine_on_a_local_instance(model_env, corpus_rows, tmp_path):
    pytest.importorskip("ray")
    feed = tmp_path / "feed.csv"
    expected = write_feed(feed, corpus_rows, 400)
    out = tmp_path / "ray-out"
    result = runner.invoke(
        app,
        ["scan", str(feed), "-o", str(out), "--engine", "ray", "--model", str(model_env), "--workers", "2"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "_summary.json").read_text())
    assert summary["rows_read"] == 400 and summary["reconciled"]
    assert summary["rows_scored"] == expected["scored"] and summary["rows_rejected"] == expected["rejected"]
    rows = [
        json.loads(line) for part in (out / "feed").glob("*.json") for line in part.read_text().splitlines()
    ]
    assert len(rows) == expected["scored"] and {"id", "score", "flagged", "evidence"} <= set(rows[0])
