"""The scan cascade: a linear pre-filter in front of the transformer."""

from __future__ import annotations

import numpy as np
import pytest

from netra.model import Classifier
from netra.scan.cascade import Cascade, choose_cutoff


def test_cutoff_keeps_the_target_share_of_transformer_flags():
    scores = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    flags = np.array([0, 1, 0, 1, 1, 1, 1, 1, 1, 1], dtype=bool)
    assert choose_cutoff(scores, flags, 1.0) == 0.2
    assert choose_cutoff(scores, flags, 0.85) == 0.4  # one of nine flags may be missed
    assert choose_cutoff(scores, flags, 0.85, margin=0.5) == 0.2
    assert choose_cutoff(scores, np.zeros(10, dtype=bool), 0.99) == 0.0


def test_cascade_never_drops_a_transformer_flag_beyond_the_configured_recall(
    linear_model, transformer_model_dir, corpus_rows
):
    transformer = Classifier.from_pretrained(transformer_model_dir)
    validation = [r["text"] for r in corpus_rows if r["split"] == "validation" and r["origin"] == "written"]
    test = [r["text"] for r in corpus_rows if r["split"] == "test" and r["origin"] == "written"]
    cascade = Cascade(linear_model, transformer, cutoff=0.0, target_recall=0.99)
    cascade.cutoff, info = cascade.calibrate(validation)
    alone = np.array([p.flagged for p in transformer.predict(test, evidence="none")])
    results = cascade.score(test, threshold=None, evidence=False)
    through = np.array([r[1] for r in results])
    assert not (through & ~alone).any()  # the cascade flags only what the transformer flags
    assert alone.sum() > 0
    assert through[alone].mean() >= 0.99
    stages = {r[4] for r in results}
    assert stages <= {"linear", "transformer"}
    assert info["passed_to_transformer"] <= info["validation_posts"]


def test_cascade_scan_reports_its_stages(
    linear_model_dir, transformer_model_dir, corpus_rows, tmp_path, monkeypatch
):
    import json
    import shutil

    from typer.testing import CliRunner

    from netra.cli import app
    from tests.test_scan import write_feed

    monkeypatch.setenv("NETRA_HOME", str(tmp_path / "home"))
    model = tmp_path / "transformer"
    shutil.copytree(transformer_model_dir, model)
    feed = tmp_path / "feed.csv"
    write_feed(feed, corpus_rows, 300)
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "scan",
            str(feed),
            "-o",
            str(out),
            "--model",
            str(model),
            "--cascade",
            str(linear_model_dir),
            "--workers",
            "1",
            "--report",
            str(tmp_path / "r.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
    assert (
        set(summary["stages"]) <= {"linear", "transformer"}
        and sum(summary["stages"].values()) == summary["rows_scored"]
    )
    assert (model / "cascade.json").exists()
    assert "Tahap penilaian" in (tmp_path / "r.html").read_text()


def test_cascade_needs_a_linear_first_stage(transformer_model_dir):
    transformer = Classifier.from_pretrained(transformer_model_dir)
    with pytest.raises(ValueError, match="must be a linear model"):
        Cascade(transformer, transformer, cutoff=0.5)
