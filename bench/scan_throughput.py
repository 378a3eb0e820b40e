"""End-to-end `netra scan` benchmark: a generated 1-million-row CSV, default model, default options.

    .venv/bin/python bench/scan_throughput.py [--rows 1000000] [--keep]

Reports rows/s end to end (process start to exit, including reading, scoring, evidence for flagged
rows, writing and checkpoints) and the peak memory of the whole process tree (main process + scoring
workers, sampled every 0.1 s): the sum of RSS (pages shared by the forked workers counted once per
process, an over-statement) and the sum of PSS (shared pages divided among the processes sharing them).
Targets on the 2-core development machine: >= 3,000 rows/s, peak RSS < 600 MB.

Rows are corpus posts in random order with a row id, an author, a date and a suffix, so texts repeat
like a real feed's retweets but not verbatim; about 1% have an empty text (rejected)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from netra.data.corpus import load_records

ROOT = Path(__file__).resolve().parent.parent


def make_feed(path: Path, rows: int) -> None:
    texts = [r["text"] for r in load_records()]
    rng = random.Random(7)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["post_id", "author", "message", "created_at", "platform"])
        for i in range(rows):
            text = (
                ""
                if rng.random() < 0.01
                else f"{rng.choice(texts)} {rng.choice(['', '🙏', '#info', str(i)])}"
            )
            writer.writerow(
                [
                    f"p{i}",
                    f"akun{rng.randrange(5000)}",
                    text,
                    f"2024-11-{1 + i % 28:02d}T08:00:00Z",
                    "facebook",
                ]
            )


def tree_memory(process: psutil.Process) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) over the process tree. PSS shares pages used by several processes
    (the model the workers inherit by fork) among them, so it does not count them twice."""
    rss = pss = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss, pss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated feed and output")
    parser.add_argument("--extra", nargs="*", default=[], help="extra arguments for netra scan")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="netra-bench-"))
    feed = work / "feed.csv"
    started = time.perf_counter()
    make_feed(feed, args.rows)
    print(
        f"generated {args.rows:,} rows ({feed.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    output = work / "out.jsonl"
    command = [str(ROOT / ".venv/bin/netra"), "scan", str(feed), "-o", str(output), *args.extra]
    env = {**os.environ, "NETRA_HOME": str(work / "home")}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    handle = psutil.Process(process.pid)
    peak_rss = peak_pss = 0
    while process.poll() is None:
        rss, pss = tree_memory(handle)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read()
    if process.returncode != 0:
        print(stderr, file=sys.stderr)
        raise SystemExit(f"netra scan failed with {process.returncode}")
    summary = json.loads((work / "out.jsonl.summary.json").read_text())
    print(
        json.dumps(
            {
                "rows": summary["rows_read"],
                "scored": summary["rows_scored"],
                "rejected": summary["rows_rejected"],
                "flagged": summary["rows_flagged"],
                "reconciled": summary["reconciled"],
                "seconds_end_to_end": round(elapsed, 1),
                "rows_per_s_end_to_end": round(summary["rows_read"] / elapsed),
                "peak_rss_mb_process_tree_sum": round(peak_rss / 2**20),
                "peak_pss_mb_process_tree": round(peak_pss / 2**20),
                "cpu_count": os.cpu_count(),
                "args": args.extra,
            }
        )
    )
    if not args.keep:
        for path in sorted(work.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        work.rmdir()


if __name__ == "__main__":
    main()
