"""`netra retrain`: the shipped corpus + analysts' settled decisions -> a registered candidate model.

It never promotes: `netra models promote` (or the admin API) runs the gate. A failed run leaves the
registry untouched: the model is trained in a scratch folder and registered only when complete."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from netra.training.config import CONFIG_DIR, load_config
from netra.training.dataset import training_data_for
from netra.training.pipeline import train
from netra.training.registry import Registry


def labels_from_database(database_url: str, since: datetime | None = None) -> list[dict[str, Any]]:
    """Settled decisions of the review queue, in the export's schema."""
    from sqlalchemy.orm import sessionmaker

    from netra.serving.db import make_engine, migrate, session_scope
    from netra.serving.queue import settled

    engine = make_engine(database_url)
    migrate(engine)
    with session_scope(sessionmaker(engine)) as session:
        rows = [
            {
                "id": item.id,
                "text": item.text,
                "label": item.label,
                "categories": item.label_categories or [],
                "decided_at": item.decided_at.isoformat() if item.decided_at else None,
                "decided_by": item.decided_by,
            }
            for item in settled(session, since)
        ]
    engine.dispose()
    return rows


def retrain(
    registry: Registry,
    labels: list[dict[str, Any]],
    config_path: str | Path = CONFIG_DIR / "linear.yaml",
    overrides: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    registry.ensure_initialized()
    parent = registry.active
    config = load_config(config_path, overrides or [])
    say("building the training set")
    data = training_data_for(config, labels)
    scratch_root = registry.root / "tmp"
    scratch_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch_root) as scratch:
        say(f"training {config.kind} on {len(data.train)} posts ({data.new_labels} new labels)")
        folder = train(config, Path(scratch) / "model", parent=parent, data=data)
        say("registering the candidate")
        version = registry.register(
            folder,
            note="retrain",
            lineage={"parent": parent, "new_labels": data.new_labels, "config": config.to_dict()},
        )
    report = {
        "candidate": version,
        "parent": parent,
        "data_hash": data.data_hash,
        "new_labels": data.new_labels,
        "train_size": len(data.train),
        "validation_size": len(data.validation),
        "overrides": data.overrides,
        "skipped": data.skipped,
        "config": config.to_dict(),
        "seconds": round(time.perf_counter() - started, 1),
    }
    registry.reports.mkdir(parents=True, exist_ok=True)
    (registry.reports / f"retrain-{version}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    say(f"registered candidate {version}")
    return report
