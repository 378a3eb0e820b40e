"""Streaming writers for scan results (JSONL, CSV, Parquet) that can be cut back to a checkpoint.

JSONL and CSV are single files: a checkpoint records the byte size after a flushed, fsynced batch, and a
resumed scan truncates the file to that size before appending, so rows written after the last
checkpoint are neither lost nor duplicated. Parquet output is a folder of part files, one per checkpoint
interval; a resumed scan deletes parts newer than the checkpoint."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any, BinaryIO

COLUMNS = (
    "id",
    "feed",
    "row",
    "author",
    "url",
    "posted_at",
    "platform",
    "score",
    "flagged",
    "categories",
    "evidence",
    "model_version",
    "stage",  # "model", or in a cascade "linear" (cleared by the pre-filter) / "transformer"
)


def _open_at_checkpoint(path: Path, size: int | None) -> BinaryIO:
    """A fresh file (size None), or the file cut back to its checkpointed size and opened for appending."""
    if size is None:
        return path.open("wb")
    if path.exists():
        with path.open("r+b") as handle:
            handle.truncate(size)
    return path.open("ab")


def _sync(handle: BinaryIO) -> int:
    """Flush and fsync; the durable size of the file."""
    handle.flush()
    os.fsync(handle.fileno())
    return handle.tell()


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["categories"] = json.dumps(row["categories"], ensure_ascii=False)
    out["evidence"] = json.dumps(row["evidence"], ensure_ascii=False)
    return out


class ResultWriter:
    def __init__(self, path: Path, fmt: str, resume_state: dict[str, Any] | None = None) -> None:
        self.path = path
        self.fmt = fmt
        self.parts = 0
        if fmt == "parquet":
            path.mkdir(parents=True, exist_ok=True)
            kept = resume_state.get("parts", 0) if resume_state else 0
            for part in path.glob("part-*.parquet"):
                if int(part.stem.split("-")[1]) > kept:
                    part.unlink()
            if not resume_state:
                for part in path.glob("part-*.parquet"):
                    part.unlink()
            self.parts = kept
            self.pending: list[dict[str, Any]] = []
            return
        self.handle = _open_at_checkpoint(path, resume_state.get("bytes", 0) if resume_state else None)
        if fmt == "csv" and not resume_state:
            self.handle.write(self._csv_line(list(COLUMNS)))

    @staticmethod
    def _csv_line(values: list[Any]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(values)
        return buffer.getvalue().encode("utf-8")

    def write(self, rows: list[dict[str, Any]]) -> None:
        if self.fmt == "parquet":
            self.pending.extend(_flat(r) for r in rows)
        elif self.fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for row in rows:
                flat = _flat(row)
                writer.writerow([flat.get(c) for c in COLUMNS])
            self.handle.write(buffer.getvalue().encode("utf-8"))
        else:
            self.handle.write(
                "".join(
                    json.dumps({c: row.get(c) for c in COLUMNS}, ensure_ascii=False) + "\n" for row in rows
                ).encode("utf-8")
            )

    def commit(self) -> dict[str, Any]:
        """Make everything written so far durable; return the state a resume needs."""
        if self.fmt == "parquet":
            if self.pending:
                import pyarrow as pa
                import pyarrow.parquet as pq

                self.parts += 1
                table = pa.Table.from_pylist(self.pending, schema=_parquet_schema())
                target = self.path / f"part-{self.parts:05d}.parquet"
                pq.write_table(table, target.with_suffix(".tmp"))
                os.replace(target.with_suffix(".tmp"), target)
                self.pending = []
            return {"parts": self.parts}
        return {"bytes": _sync(self.handle)}

    def close(self) -> None:
        if self.fmt != "parquet":
            self.handle.close()


def _parquet_schema():
    import pyarrow as pa

    types = {"row": pa.int64(), "score": pa.float64(), "flagged": pa.bool_()}
    return pa.schema([(column, types.get(column, pa.string())) for column in COLUMNS])


class RejectWriter:
    """`<output>.rejects.jsonl`: every row that could not be scored, with the reason."""

    def __init__(self, path: Path, resume_state: dict[str, Any] | None = None) -> None:
        self.path = path
        self.handle = _open_at_checkpoint(path, resume_state.get("reject_bytes", 0) if resume_state else None)

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.handle.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))

    def commit(self) -> dict[str, Any]:
        return {"reject_bytes": _sync(self.handle)}

    def close(self) -> None:
        self.handle.close()
