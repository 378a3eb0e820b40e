"""`netra scan --engine ray`: the same scan on Ray Data, on a local Ray instance or a cluster.

    read (Ray's CSV/JSONL/Parquet readers, in parallel) -> map_batches(prepare: text, id, reject reason)
    -> rejects written apart -> map_batches(ModelScorer, a pool of model actors) -> write

Each actor loads the model once and calls the same `Classifier.predict` as the API and the local scan.
Outputs are folders of part files (`OUTPUT/` and `OUTPUT.rejects/`). On a cluster, set `RAY_ADDRESS`
(e.g. `ray://head:10001`) and give paths every node can read (shared storage or `s3://`)."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from netra.scan.runner import ScanError, ScanOptions, build_cascade, score_texts

NATIVE = ("csv", "tsv", "jsonl", "parquet")


class Prepare:
    """Adds `_text`, `_id` and `_reason` (why a row cannot be scored, or empty)."""

    def __init__(self, text_column: str, id_column: str | None, max_chars: int, feed: str) -> None:
        self.text_column = text_column
        self.id_column = id_column
        self.max_chars = max_chars
        self.feed = feed

    def __call__(self, batch):
        from netra.serving.queue import post_id

        texts = batch[self.text_column].astype("object").where(batch[self.text_column].notna(), None)
        reasons, ids, clean = [], [], []
        raw_ids = (
            batch[self.id_column].astype(str).tolist() if self.id_column in batch else [None] * len(batch)
        )
        for text, raw_id in zip(texts.tolist(), raw_ids, strict=True):
            text = text if isinstance(text, str) else (None if text is None else str(text))
            if text is None or not text.strip():
                reasons.append("missing text")
            elif len(text) > self.max_chars:
                reasons.append(f"text is {len(text)} characters, over the limit of {self.max_chars}")
            else:
                reasons.append("")
            clean.append(text or "")
            ids.append(raw_id if raw_id not in (None, "nan", "None", "") else post_id(text or ""))
        batch["_text"] = clean
        batch["_id"] = ids
        batch["_reason"] = reasons
        batch["_feed"] = self.feed
        return batch


class ModelScorer:
    """A Ray actor: the model (and the cascade's linear pre-filter, if any) is loaded once per actor."""

    def __init__(self, options: ScanOptions, model: str, cutoff: float | None) -> None:
        from netra.model import Classifier

        self.model = Classifier.from_pretrained(model)
        self.cascade = build_cascade(options, self.model, cutoff)
        self.threshold = options.threshold
        self.evidence = options.evidence

    def __call__(self, batch):
        results = score_texts(
            self.model, self.cascade, batch["_text"].tolist(), self.threshold, self.evidence
        )
        return {
            "id": batch["_id"].tolist(),
            "feed": batch["_feed"].tolist(),
            "score": [r[0] for r in results],
            "flagged": [r[1] for r in results],
            "categories": [json.dumps(r[2]) for r in results],
            "evidence": [json.dumps(r[3], ensure_ascii=False) for r in results],
            "stage": [r[4] for r in results],
            "model_version": [self.model.version] * len(results),
        }


def _read(ray, feed: Path, fmt: str):
    if fmt in ("csv", "tsv"):
        import pyarrow.csv as pacsv

        delimiter = "\t" if fmt == "tsv" else ","
        return ray.data.read_csv(
            str(feed), parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
        )
    if fmt == "jsonl":
        return ray.data.read_json(str(feed), lines=True)
    return ray.data.read_parquet(str(feed))


def _actors(ray, requested: int) -> int:
    """Model actors: as requested, but leave one CPU to the readers and writers (or a small machine
    deadlocks with every CPU held by an idle actor)."""
    spare = max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
    return min(requested, spare) if requested else spare


def _count_rows(folder: Path) -> int:
    total = 0
    for part in folder.glob("*"):
        if part.suffix == ".parquet":
            import pyarrow.parquet as pq

            total += pq.ParquetFile(part).metadata.num_rows
        elif part.is_file() and not part.name.startswith("."):
            with part.open("rb") as handle:
                total += sum(1 for _ in handle) - (1 if part.suffix == ".csv" else 0)
    return total


def _stages(ray, folder: str, fmt: str) -> dict[str, int]:
    """Rows per scoring stage ("model", or "linear"/"transformer" in a cascade), read back from the output
    (counting while scoring would hold every result in Ray's object store)."""
    if fmt == "parquet":
        written = ray.data.read_parquet(folder, columns=["stage"])
    elif fmt == "csv":
        written = ray.data.read_csv(folder).select_columns(["stage"])
    else:
        written = ray.data.read_json(folder, lines=True).select_columns(["stage"])
    return {row["stage"]: int(row["count()"]) for row in written.groupby("stage").count().take_all()}


def run_ray_scan(options: ScanOptions) -> dict[str, Any]:
    import ray

    from netra.data.feeds import FeedError, open_feed
    from netra.paths import default_model_path

    model = str(options.model or default_model_path())
    started = time.perf_counter()
    cutoff = None
    if options.cascade is not None:  # calibrated (or read from its cache) once, here, not in every actor
        from netra.model import Classifier

        cutoff = build_cascade(options, Classifier.from_pretrained(model)).cutoff
    ray.init(
        address=os.environ.get("RAY_ADDRESS") or None,
        ignore_reinit_error=True,
        include_dashboard=False,
        log_to_driver=False,
    )
    out, rejects_out = options.output, options.output.with_name(options.output.name + ".rejects")
    per_feed = {}
    try:
        for feed in options.feeds:
            if not feed.exists():
                raise ScanError(f"feed not found: {feed}")
            try:
                with open_feed(feed, text_column=options.text_column, id_column=options.id_column) as reader:
                    fmt, text_column, id_column, shape = (
                        reader.format,
                        reader.text_column,
                        reader.id_column,
                        reader.shape,
                    )
            except FeedError as exc:
                raise ScanError(str(exc)) from exc
            if fmt not in NATIVE or shape != "generic" or feed.suffix == ".gz":
                raise ScanError(
                    f"{feed}: --engine ray reads plain CSV/TSV, JSONL and Parquet tables (this is {fmt}, shape {shape}); "
                    "use --engine local, which reads every export shape"
                )
            prepared = (
                _read(ray, feed, fmt)
                .map_batches(
                    Prepare,
                    fn_constructor_kwargs={
                        "text_column": text_column,
                        "id_column": id_column,
                        "max_chars": options.max_chars,
                        "feed": str(feed),
                    },
                    batch_format="pandas",
                )
                .materialize()
            )
            prepared.filter(lambda row: row["_reason"] != "").select_columns(
                ["_feed", "_id", "_reason"]
            ).write_json(str(rejects_out / Path(feed).stem))
            scored = prepared.filter(lambda row: row["_reason"] == "").map_batches(
                ModelScorer,
                fn_constructor_kwargs={"options": options, "model": model, "cutoff": cutoff},
                batch_format="pandas",
                batch_size=options.batch_size,
                # Leave one CPU to the readers and writers, or a small machine deadlocks.
                concurrency=_actors(ray, options.workers),
            )
            target = str(out / Path(feed).stem)
            if options.fmt == "parquet":
                scored.write_parquet(target)
            elif options.fmt == "csv":
                scored.write_csv(target)
            else:
                scored.write_json(target)
            scored_rows = _count_rows(Path(target))
            counts = {
                "scored": scored_rows,
                "rejected": _count_rows(rejects_out / Path(feed).stem),
                "read": prepared.count(),
                "stages": _stages(ray, target, options.fmt) if scored_rows else {},
            }
            per_feed[str(feed)] = counts
    finally:
        ray.shutdown()
    read = sum(c["read"] for c in per_feed.values())
    stages: Counter = Counter()
    for counts in per_feed.values():
        stages.update(counts["stages"])
    scored_total = sum(c["scored"] for c in per_feed.values())
    rejected = sum(c["rejected"] for c in per_feed.values())
    elapsed = time.perf_counter() - started
    summary = {
        "engine": "ray",
        "rows_read": read,
        "rows_scored": scored_total,
        "rows_rejected": rejected,
        "reconciled": read == scored_total + rejected,
        "stages": dict(stages),
        "per_feed": per_feed,
        "output": str(out),
        "rejects": str(rejects_out),
        "seconds": round(elapsed, 1),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "_summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary
