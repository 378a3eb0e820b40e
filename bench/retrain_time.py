"""How long a linear retrain takes on the shipped corpus plus N new analyst labels (default 1,000).

    .venv/bin/python bench/retrain_time.py [--labels 1000]

New labels are corpus train posts re-shared with a comment (new texts), labeled like their source, so
the training set really grows by N posts. Times `netra.training.retrain.retrain` end to end: building the
training set, fitting, calibration, threshold, evaluation on the frozen test split (with the camp-symmetry
check and plots), saving and registering the candidate."""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from netra.data.corpus import load_records
from netra.paths import EMBEDDED_DEFAULT
from netra.training.registry import Registry
from netra.training.retrain import retrain


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(11)
    source = [r for r in load_records() if r["split"] == "train" and r["origin"] == "written"]
    comments = [
        "Setuju bgt",
        "Info penting nih",
        "Cek dulu ya",
        "Gimana menurut kalian?",
        "Diteruskan dari grup sebelah",
    ]
    labels = []
    for i in range(args.labels):
        r = rng.choice(source)
        labels.append(
            {
                "id": f"n{i}",
                "text": f"{rng.choice(comments)} ({i}): {r['text']}",
                "label": r["label"],
                "categories": r["categories"],
                "decided_at": "2026-11-20T10:00:00+00:00",
            }
        )
    with tempfile.TemporaryDirectory() as home:
        registry = Registry(Path(home), seed_model=EMBEDDED_DEFAULT)
        registry.ensure_initialized()
        started = time.perf_counter()
        report = retrain(registry, labels)
        elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "new_labels": report["new_labels"],
                "train_size": report["train_size"],
                "seconds": round(elapsed, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
