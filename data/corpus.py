"""Reading the labeled corpus (JSONL) and turning it into a `datasets.DatasetDict`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netra.data.schema import CATEGORIES, FIELDS, LABELS, LOOKALIKES, SPLITS

if TYPE_CHECKING:
    from datasets import DatasetDict

DATA_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS = DATA_DIR / "corpus" / "netra-corpus-v1.jsonl"


class CorpusError(ValueError):
    """A labeled file cannot be used; the message says which line and why."""


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file; every bad line is reported with its number."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path}: file not found")
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append(f"line {number}: not valid UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"line {number}: invalid JSON ({exc.msg})")
                continue
            if not isinstance(row, dict):
                problems.append(f"line {number}: expected a JSON object, got {type(row).__name__}")
                continue
            rows.append(row)
    if problems:
        raise CorpusError(_summarise(path, problems))
    return rows


def check_labeled_row(row: dict[str, Any], full_schema: bool = True) -> list[str]:
    """Problems of one labeled row (empty when fine). `full_schema=False` only needs text and label."""
    problems: list[str] = []
    required = FIELDS if full_schema else ("text", "label")
    missing = [f for f in required if f not in row]
    if missing:
        problems.append(f"missing field(s) {', '.join(missing)}")
    text = row.get("text")
    if "text" in row and (not isinstance(text, str) or not text.strip()):
        problems.append("text must be a non-empty string")
    label = row.get("label")
    if "label" in row and label not in LABELS:
        problems.append(f"unknown label {label!r} (expected one of {', '.join(LABELS)})")
    categories = row.get("categories", [])
    if not isinstance(categories, list):
        problems.append("categories must be a list")
        categories = []
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        problems.append(
            f"unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(map(str, unknown))}"
        )
    if label == "partisan" and "categories" in row and not categories:
        problems.append("a partisan post needs at least one category")
    if label == "neutral" and categories:
        problems.append("a neutral post must have no categories")
    if full_schema:
        lookalike = row.get("lookalike")
        if label == "neutral" and lookalike not in LOOKALIKES:
            problems.append(f"neutral post needs a lookalike from {', '.join(LOOKALIKES)}, got {lookalike!r}")
        if label == "partisan" and lookalike is not None:
            problems.append("a partisan post must have lookalike null")
        if "split" in row and row["split"] not in SPLITS:
            problems.append(f"unknown split {row['split']!r}")
    return problems


def load_records(path: str | Path = DEFAULT_CORPUS, full_schema: bool = True) -> list[dict[str, Any]]:
    """Read and check a labeled JSONL file. Raises `CorpusError` listing every bad line."""
    rows = read_jsonl(path)
    problems = []
    for number, row in enumerate(rows, start=1):
        for problem in check_labeled_row(row, full_schema=full_schema):
            problems.append(f"record {number} (id {row.get('id', '?')}): {problem}")
    if problems:
        raise CorpusError(_summarise(Path(path), problems))
    if not rows:
        raise CorpusError(f"{path}: no records")
    return rows


def to_dataset_dict(records: Sequence[dict[str, Any]]) -> DatasetDict:
    """Group records by their `split` into a DatasetDict (train / validation / test)."""
    from datasets import Dataset, DatasetDict

    columns = ("id", "text", "label", "categories", "lookalike", "platform", "register", "contest", "origin")
    out = {}
    for split in SPLITS:
        rows = [r for r in records if r.get("split") == split]
        out[split] = Dataset.from_dict(
            {c: [r.get(c) if c != "categories" else list(r.get(c) or []) for r in rows] for c in columns}
        )
    return DatasetDict(out)


def load_corpus(path: str | Path = DEFAULT_CORPUS) -> DatasetDict:
    """The corpus as a `datasets.DatasetDict` with `train`, `validation` and `test`."""
    return to_dataset_dict(load_records(path))


def corpus_hash(records: Iterable[dict[str, Any]]) -> str:
    """A content hash of labeled records (order-independent), recorded in every model folder."""
    digests = sorted(
        hashlib.sha256(
            json.dumps(
                [r.get("text"), r.get("label"), sorted(r.get("categories") or []), r.get("split")],
                ensure_ascii=False,
            ).encode("utf-8")
        ).hexdigest()
        for r in records
    )
    return "sha256:" + hashlib.sha256("\n".join(digests).encode()).hexdigest()[:16]


def _summarise(path: Path, problems: list[str], limit: int = 20) -> str:
    head = "\n  ".join(problems[:limit])
    more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"{path}: {len(problems)} problem(s)\n  {head}{more}"
