"""Assembling the corpus from writers' batches: ids, de-duplication, stratified splits, augmentation.

Used once to build corpus v1 (`netra data assemble`); the test split is frozen from then on. New data
goes to train/validation only (see `netra.training.dataset`)."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Any

from netra.data.augment import augment_row
from netra.data.camps import SWAP_NAMES, SWAP_PARTIES, markers
from netra.data.neardup import dedup_key, near_duplicate_pairs
from netra.data.schema import FIELDS

AUGMENT_SHARE = 0.26


def _digest(text: str) -> int:
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16)


def stratum(row: dict[str, Any]) -> str:
    if row["label"] == "partisan":
        return "partisan:" + row["categories"][0]
    return "neutral:" + str(row.get("lookalike"))


def assign_splits(rows: list[dict[str, Any]]) -> None:
    """Deterministic 80/10/10 split, stratified by label and main category / look-alike."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(stratum(row), []).append(row)
    for members in groups.values():
        members.sort(key=lambda r: _digest(r["text"]))
        for k, row in enumerate(members):
            row["split"] = "test" if k % 10 == 0 else "validation" if k % 10 == 5 else "train"


def drop_near_duplicates(rows: list[dict[str, Any]], threshold: float = 0.7) -> list[dict[str, Any]]:
    drop = {j for _, j, _ in near_duplicate_pairs([r["text"] for r in rows], threshold)}
    return [r for k, r in enumerate(rows) if k not in drop]


def augment(rows: list[dict[str, Any]], swaps_per_label: int = 100) -> list[dict[str, Any]]:
    """Typo/slang/emoji copies of about a quarter of the written posts (chosen by hash), plus the same
    number of name/number swaps in each label, so that swapped-in names and numbers lean to neither."""
    out = []
    seen = {dedup_key(r["text"]) for r in rows}

    def keep(extra: dict[str, Any] | None) -> None:
        if extra is None:
            return
        key = dedup_key(extra["text"])
        if key not in seen:
            seen.add(key)
            out.append(extra)

    methods = ("typo", "slang", "emoji")
    for row in rows:
        h = _digest(row["id"])
        if (h % 1000) / 1000 < AUGMENT_SHARE:
            keep(augment_row(row, methods[(h // 1000) % len(methods)]))
    for label in ("partisan", "neutral"):
        rotation = {"names": itertools.cycle(SWAP_NAMES), "parties": itertools.cycle(SWAP_PARTIES)}
        eligible = sorted(
            (r for r in rows if r["label"] == label and markers(r["text"])),
            key=lambda r: _digest("swap" + r["id"]),
        )
        for row in eligible[:swaps_per_label]:
            keep(augment_row(row, "swap", **rotation))
    return out


def read_batches(writer_dirs: list[Path]) -> list[dict[str, Any]]:
    """Writers' JSONL batches, each row with an id `<writer>-<nnnn>` and origin "written"."""
    written: list[dict[str, Any]] = []
    for writer_dir in writer_dirs:
        count = 0
        for part in sorted(writer_dir.glob("*.jsonl")):
            for number, line in enumerate(part.read_text(encoding="utf-8").splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{part}:{number}: invalid JSON ({exc.msg})") from None
                count += 1
                row["id"] = f"{writer_dir.name}-{count:04d}"
                row["text"] = row["text"].strip()
                row["origin"] = "written"
                if row["label"] == "partisan":
                    row["lookalike"] = None
                else:
                    row["categories"] = []
                written.append(row)
    return written


def assemble_supplement(
    writer_dirs: list[Path], corpus_rows: list[dict[str, Any]], output: Path, threshold: float = 0.7
) -> dict[str, int]:
    """Labeled posts written after corpus v1 as a separate file for training configs' `extra_labels`: the
    frozen v1 file (and its splits and balance) stays as it is; these rows go to train/validation only.
    Exact and near duplicates of any corpus post (whatever its split) or of each other are dropped, so
    nothing close to a test post reaches training."""
    from netra.data.corpus import check_labeled_row

    rows = read_batches(writer_dirs)
    for row in rows:
        problems = check_labeled_row(row, full_schema=False)
        if problems:
            raise ValueError(f"{row['id']}: " + "; ".join(problems))
    texts = [r["text"] for r in corpus_rows] + [r["text"] for r in rows]
    drop = set()
    for _first, j, _ in near_duplicate_pairs(texts, threshold):
        if j >= len(corpus_rows):  # the later post of the pair is a new one: drop it
            drop.add(j - len(corpus_rows))
    seen = {dedup_key(r["text"]) for r in corpus_rows}
    kept = []
    for k, row in enumerate(rows):
        key = dedup_key(row["text"])
        if k in drop or key in seen:
            continue
        seen.add(key)
        kept.append(row)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as handle:
        for row in kept:
            record = {k: row.get(k) for k in FIELDS if k != "split"}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return {"read": len(rows), "kept": len(kept), "dropped_duplicates": len(rows) - len(kept)}


def assemble(raw_dir: Path, output: Path) -> dict[str, int]:
    written = read_batches(sorted(p for p in raw_dir.iterdir() if p.is_dir()))
    before = len(written)
    unique: dict[str, dict[str, Any]] = {}
    for row in written:
        unique.setdefault(dedup_key(row["text"]), row)
    written = drop_near_duplicates(list(unique.values()))
    assign_splits(written)
    augmented = augment(written)
    rows = written + augmented
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({k: row.get(k) for k in FIELDS}, ensure_ascii=False) + "\n")
    return {"raw": before, "written": len(written), "augmented": len(augmented)}
