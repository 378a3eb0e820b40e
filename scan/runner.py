"""`netra scan`: stream exported feeds through `Classifier.predict`, write results and rejects, checkpoint.

Every input row ends in the output or in the rejects file; the summary reconciles
rows read = scored + rejected. A checkpoint (under `$NETRA_HOME/scans/`) is written after each committed
batch group, so `--resume` continues after a crash, Ctrl-C or kill -9 without losing or duplicating rows.

Scoring runs in worker processes (forked after the model is loaded, so they share its memory) while the
main process reads and writes; batches are returned in order."""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from netra.scan.aggregates import Aggregates
from netra.scan.output import RejectWriter, ResultWriter

log = logging.getLogger("netra.scan")

_MODEL: Any = None  # set in the parent before forking workers
_CASCADE: Any = None


@dataclass
class ScanOptions:
    feeds: list[Path]
    output: Path
    fmt: str = "jsonl"
    model: Path | None = None
    threshold: float | None = None
    text_column: str | None = None
    id_column: str | None = None
    enqueue: bool = False
    resume: bool = False
    report: Path | None = None
    batch_size: int = 2048
    max_chars: int = 5000
    workers: int = 0  # 0: one per CPU core (at least 1); 1: score in this process
    checkpoint_rows: int = 50_000
    home: Path | None = None
    evidence: bool = True
    cascade: Path | None = None  # a linear pre-filter model folder (see netra.scan.cascade)
    cascade_recall: float = 0.99  # share of the transformer's flags the pre-filter keeps on unseen posts

    def identity(self, model_version: str) -> str:
        key = [
            [str(p.resolve()) for p in self.feeds],
            str(self.output.resolve()),
            self.fmt,
            model_version,
            self.threshold,
            self.text_column,
            self.id_column,
            self.max_chars,
            self.evidence,
            str(self.cascade) if self.cascade else None,
            self.cascade_recall if self.cascade else None,
        ]
        return hashlib.sha256(json.dumps(key).encode()).hexdigest()[:16]


class ScanError(RuntimeError):
    pass


def build_cascade(options: ScanOptions, model: Any, cutoff: float | None = None) -> Any:
    """The scan's cascade (`options.cascade` names the linear pre-filter's folder) in front of `model`, or
    None. `cutoff`: one already calibrated (else it is read from the cache or calibrated now)."""
    if options.cascade is None:
        return None
    from netra.model import Classifier
    from netra.scan.cascade import Cascade

    try:
        return Cascade(
            Classifier.from_pretrained(options.cascade), model, cutoff, target_recall=options.cascade_recall
        )
    except ValueError as exc:
        raise ScanError(f"--cascade {options.cascade}: {exc}") from exc


def score_texts(
    model: Any, cascade: Any, texts: list[str], threshold: float | None, evidence: bool
) -> list[tuple]:
    """(score, flagged, categories, evidence dicts, stage) per post: through the cascade where there is one,
    else `model.predict` (stage "model"). Both scan engines score through this."""
    if cascade is not None:
        return cascade.score(texts, threshold, evidence)
    predictions = model.predict(texts, evidence="flagged" if evidence else "none", threshold=threshold)
    return [
        (p.score, p.flagged, p.categories, [e.__dict__ for e in p.evidence], "model") for p in predictions
    ]


def _score(texts: list[str], threshold: float | None, evidence: bool) -> list[tuple]:
    return score_texts(_MODEL, _CASCADE, texts, threshold, evidence)


class Scorer:
    """Scores batches in order, in worker processes or in-process."""

    def __init__(self, workers: int, threshold: float | None, evidence: bool) -> None:
        self.threshold = threshold
        self.evidence = evidence
        self.pool = None
        if workers > 1:
            context = multiprocessing.get_context("fork")
            self.pool = context.Pool(workers)
        self.window = max(2, 2 * workers)
        self.pending: deque = deque()

    def submit(self, batch: Any, texts: list[str]) -> None:
        if self.pool is None:
            self.pending.append((batch, _score(texts, self.threshold, self.evidence)))
        else:
            self.pending.append(
                (batch, self.pool.apply_async(_score, (texts, self.threshold, self.evidence)))
            )

    def full(self) -> bool:
        return len(self.pending) >= self.window

    def pop(self) -> tuple[Any, list[tuple]]:
        batch, result = self.pending.popleft()
        return batch, result if self.pool is None else result.get()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


def _checkpoint_path(home: Path, scan_id: str) -> Path:
    return home / "scans" / f"{scan_id}.json"


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _rejects_path(output: Path) -> Path:
    return output.with_name(output.name + ".rejects.jsonl")


def run_scan(
    options: ScanOptions, progress: Callable[[Aggregates, float], None] | None = None
) -> dict[str, Any]:
    global _MODEL, _CASCADE
    from netra.data.feeds import FeedError, open_feed
    from netra.model import Classifier
    from netra.paths import default_model_path
    from netra.serving.queue import post_id

    home = options.home or Path(os.environ.get("NETRA_HOME", Path.home() / ".netra")).expanduser()
    for feed in options.feeds:
        if not feed.exists():
            raise ScanError(f"feed not found: {feed}")
    model = Classifier.from_pretrained(options.model or default_model_path())
    _MODEL = model
    _CASCADE = build_cascade(options, model)
    scan_id = options.identity(model.version)
    checkpoint_file = _checkpoint_path(home, scan_id)
    state: dict[str, Any] | None = None
    if options.resume:
        if checkpoint_file.exists():
            state = json.loads(checkpoint_file.read_text(encoding="utf-8"))
            if state.get("finished"):
                log.info("scan %s already finished; nothing to resume", scan_id)
                return state["summary"]
            log.info("resuming scan %s at feed %d row %d", scan_id, state["feed_index"], state["rows_done"])
        else:
            log.warning("no checkpoint for this scan (%s): starting from the beginning", checkpoint_file)
    aggregates = Aggregates.from_dict(state["aggregates"]) if state else Aggregates()
    options.output.parent.mkdir(parents=True, exist_ok=True)
    writer = ResultWriter(options.output, options.fmt, state["writer"] if state else None)
    rejects = RejectWriter(_rejects_path(options.output), state["writer"] if state else None)
    queue_sessions = None
    if options.enqueue:
        from sqlalchemy.orm import sessionmaker

        from netra.serving.db import make_engine, migrate
        from netra.serving.settings import get_settings

        settings = get_settings(home=home)
        engine = make_engine(settings.resolved_database_url)
        migrate(engine)
        queue_sessions = sessionmaker(engine, expire_on_commit=False)

    workers = options.workers or max(1, os.cpu_count() or 1)
    scorer = Scorer(workers, options.threshold, options.evidence)
    started = time.perf_counter()
    read_before = aggregates.read
    threshold = model.threshold if options.threshold is None else options.threshold

    def commit(feed_index: int, rows_done: int, finished: bool = False) -> None:
        writer_state = {**writer.commit(), **rejects.commit()}
        _write_json_atomic(
            checkpoint_file,
            {
                "scan_id": scan_id,
                "options": {k: str(v) for k, v in asdict(options).items()},
                "model_version": model.version,
                "feed_index": feed_index,
                "rows_done": rows_done,
                "writer": writer_state,
                "aggregates": aggregates.to_dict(),
                "finished": finished,
                "summary": summary() if finished else None,
            },
        )

    def summary() -> dict[str, Any]:
        elapsed = time.perf_counter() - started
        return {
            "scan_id": scan_id,
            "model_version": model.version,
            "threshold": threshold,
            "rows_read": aggregates.read,
            "rows_scored": aggregates.scored,
            "rows_rejected": aggregates.rejected,
            "rows_flagged": aggregates.flagged,
            "reconciled": aggregates.read == aggregates.scored + aggregates.rejected,
            "per_feed": aggregates.per_feed,
            "reject_reasons": dict(aggregates.reject_reasons),
            "stages": dict(aggregates.stage_counts),
            "output": str(options.output),
            "rejects": str(_rejects_path(options.output)),
            "seconds_this_run": round(elapsed, 2),
            "rows_per_second_this_run": round((aggregates.read - read_before) / elapsed, 1)
            if elapsed
            else None,
        }

    def drain(one: bool) -> None:
        while scorer.pending and (scorer.full() or not one):
            (feed_name, rows), results = scorer.pop()
            out_rows = []
            for (number, row_id, text, fields), (score, flagged, categories, evidence, stage) in zip(
                rows, results, strict=True
            ):
                record = {
                    "id": row_id,
                    "feed": feed_name,
                    "row": number,
                    "author": fields.get("author"),
                    "url": fields.get("url"),
                    "posted_at": fields.get("posted_at"),
                    "platform": fields.get("platform"),
                    "score": score,
                    "flagged": flagged,
                    "categories": categories,
                    "evidence": evidence,
                    "model_version": model.version,
                    "stage": stage,
                }
                aggregates.add_scored(feed_name, record, text)
                aggregates.stage_counts[stage] += 1
                out_rows.append((record, text))
            writer.write([r for r, _ in out_rows])
            if queue_sessions is not None:
                _enqueue(queue_sessions, [(r, t) for r, t in out_rows if r["flagged"]], threshold)
            if one:
                break

    start_feed = state["feed_index"] if state else 0
    rows_done = state["rows_done"] if state else 0
    last_number = rows_done
    since_commit = 0
    last_progress = 0.0
    try:
        for feed_index in range(start_feed, len(options.feeds)):
            feed = options.feeds[feed_index]
            skip = rows_done if feed_index == start_feed else 0
            try:
                reader = open_feed(
                    feed, text_column=options.text_column, id_column=options.id_column, start_after=skip
                )
            except FeedError as exc:
                raise ScanError(str(exc)) from exc
            log.info(
                "reading %s (%s, shape %s, text from %r)",
                feed,
                reader.format,
                reader.shape,
                reader.text_column,
            )
            last_number = skip
            batch: list[tuple[int, str, str, dict[str, Any]]] = []
            reject_rows: list[dict[str, Any]] = []
            with reader:
                for row in reader:
                    last_number = row.number
                    reason = row.error
                    text = row.text
                    if reason is None and (text is None or not text.strip()):
                        reason = "missing text"
                    if reason is None and len(text) > options.max_chars:
                        reason = f"text is {len(text)} characters, over the limit of {options.max_chars}"
                    if reason is not None:
                        reject_rows.append(
                            {"feed": str(feed), "row": row.number, "id": row.id, "reason": reason}
                        )
                        aggregates.add_reject(str(feed), reason)
                    else:
                        batch.append((row.number, row.id or post_id(text), text, row.fields))
                    if len(batch) >= options.batch_size:
                        scorer.submit((str(feed), batch), [b[2] for b in batch])
                        since_commit += len(batch)
                        batch = []
                        drain(one=True)
                        if since_commit >= options.checkpoint_rows:
                            # Every row read so far is submitted or rejected: write all, then checkpoint.
                            drain(one=False)
                            rejects.write(reject_rows)
                            reject_rows = []
                            commit(feed_index, last_number)
                            since_commit = 0
                    now = time.perf_counter()
                    if progress is not None and now - last_progress > 0.5:
                        progress(aggregates, now - started)
                        last_progress = now
                if batch:
                    scorer.submit((str(feed), batch), [b[2] for b in batch])
                    batch = []
                drain(one=False)
                rejects.write(reject_rows)
                if feed_index + 1 < len(options.feeds):
                    commit(feed_index + 1, 0)
            rows_done = 0
        result = summary()
        commit(len(options.feeds), 0, finished=True)
    finally:
        scorer.close()
        writer.close()
        rejects.close()
    if progress is not None:
        progress(aggregates, time.perf_counter() - started)
    _write_json_atomic(options.output.with_name(options.output.name + ".summary.json"), result)
    if options.report is not None:
        from netra.scan.report import write_report

        write_report(options.report, aggregates, result)
    return result


def _enqueue(sessions, flagged: list[tuple[dict[str, Any], str]], threshold: float) -> None:
    if not flagged:
        return
    from types import SimpleNamespace

    from netra.model.prediction import Evidence, Prediction
    from netra.serving.db import session_scope
    from netra.serving.queue import enqueue

    posts, ids, predictions = [], [], []
    for record, text in flagged:
        posts.append(
            SimpleNamespace(
                text=text,
                author=record.get("author"),
                platform=record.get("platform"),
                url=record.get("url"),
                posted_at=_parse_time(record.get("posted_at")),
                region=None,
            )
        )
        ids.append(record["id"])
        predictions.append(
            Prediction(
                score=record["score"],
                flagged=True,
                categories=record["categories"],
                evidence=[Evidence(**e) for e in record["evidence"]],
                model_version=record["model_version"],
            )
        )
    with session_scope(sessions) as session:
        enqueue(session, posts, ids, predictions, threshold)


def _parse_time(value: Any):
    from datetime import UTC, datetime

    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed
