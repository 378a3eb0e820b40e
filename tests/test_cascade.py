"""The scan cascade: a linear pre-filter in front of the transformer."""

from __future__ import annotations

import numpy as np
import pytest

from netra.model import Classifier
from netra.scan.cascade import Cascade, choose_cutoff


def test_cutoff_keeps_the_target_share_of_transformer_flags():
    scores = np.log([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    flags = np.array([0, 1, 0, 1, 1, 1, 1, 1, 1, 1], dtype=bool)
    # Eight flags: a new flag falls below the k-th lowest of them with probability k/9.
    assert choose_cutoff(scores, flags, 0.75) == pytest.approx(np.log(0.4))  # misses 2/9 on average
    assert choose_cutoff(scores, flags, 0.85) == pytest.approx(np.log(0.2))  # 2/9 would be too many
    assert choose_cutoff(scores, flags, 0.75, margin=0.5) == pytest.approx(np.log(0.2))
    assert choose_cutoff(scores, flags, 0.95) == -np.inf  # eight flags cannot promise 95%
    assert choose_cutoff(scores, flags, 1.0) == -np.inf
    assert choose_cutoff(scores, np.zeros(10, dtype=bool), 0.99) == -np.inf


def test_screen_ranks_election_posts_above_everyday_posts(linear_model, corpus_rows):
    rows = [r for r in corpus_rows if r["split"] == "validation" and r["origin"] == "written"]
    predictions, screen = linear_model.predict_with_screen([r["text"] for r in rows] + ["", "  "])
    assert linear_model.backend.screen_coef is not None
    assert screen[-2:].tolist() == [-np.inf, -np.inf]
    assert [p.score for p in predictions[:-2]] == [
        p.score for p in linear_model.predict([r["text"] for r in rows], evidence="none")
    ]
    everyday = np.array([r["contest"] == "none" for r in rows])
    partisan = np.array([r["label"] == "partisan" for r in rows])
    election_neutral = ~everyday & ~partisan
    screen = screen[:-2]
    # Partisan posts first, then election talk that is not partisan, then everyday posts.
    assert np.median(screen[partisan]) > np.median(screen[election_neutral]) > np.median(screen[everyday])
    # The topic screen clears more everyday posts than the partisan score alone, at the same recall.
    partisan_only = linear_model.raw_logits([r["text"] for r in rows])[0]
    cleared = (screen[everyday] < choose_cutoff(screen, partisan, 0.99)).mean()
    cleared_alone = (partisan_only[everyday] < choose_cutoff(partisan_only, partisan, 0.99)).mean()
    assert cleared > cleared_alone


def test_screen_survives_save_and_load_and_old_models_fall_back(linear_model, tmp_path):
    texts = ["Ayo coblos nomor 2 besok di TPS!", "otw kantor, macet parah"]
    folder = linear_model.save_pretrained(tmp_path / "copy")
    reloaded = Classifier.from_pretrained(folder)
    assert np.allclose(reloaded.predict_with_screen(texts)[1], linear_model.predict_with_screen(texts)[1])
    reloaded.backend.screen_coef = None  # a linear model trained before the screen existed
    logits = reloaded.raw_logits(texts)[0]
    assert np.allclose(reloaded.predict_with_screen(texts)[1], -np.logaddexp(0, -logits))


def test_topic_targets_leave_unknown_topics_out():
    from netra.training.linear_trainer import topic_targets

    rows = [
        {"label": "partisan", "contest": None},
        {"label": "neutral", "contest": "pilkada"},
        {"label": "neutral", "contest": "none"},
        {"label": "neutral"},  # an analyst's decision: topic unknown
    ]
    assert topic_targets(rows).tolist() == [1, 1, 0, -1]


def test_cascade_never_drops_a_transformer_flag_beyond_the_configured_recall(
    linear_model, transformer_model_dir, corpus_rows
):
    from scipy.stats import binom

    transformer = Classifier.from_pretrained(transformer_model_dir)
    validation = [r["text"] for r in corpus_rows if r["split"] == "validation" and r["origin"] == "written"]
    test = [r["text"] for r in corpus_rows if r["split"] == "test" and r["origin"] == "written"]
    cascade = Cascade(linear_model, transformer, cutoff=0.0, target_recall=0.99)
    cascade.cutoff, info = cascade.calibrate(validation)
    # Where it was calibrated, the cascade keeps >= 99% of the transformer's flags, exactly.
    kept_validation = np.array([r[1] for r in cascade.score(validation, threshold=None, evidence=False)])
    flags_validation = np.array([p.flagged for p in transformer.predict(validation, evidence="none")])
    assert kept_validation[flags_validation].mean() >= 0.99
    # On the unseen test split the promise is a miss rate of at most 1% on average: the misses must be
    # what a 1% miss rate gives in 99 runs out of 100, not more.
    alone = np.array([p.flagged for p in transformer.predict(test, evidence="none")])
    results = cascade.score(test, threshold=None, evidence=False)
    through = np.array([r[1] for r in results])
    assert not (through & ~alone).any()  # the cascade flags only what the transformer flags
    assert alone.sum() > 0
    misses = int((alone & ~through).sum())
    assert misses <= binom.ppf(0.99, int(alone.sum()), 0.01), f"{misses} of {alone.sum()} flags dropped"
    stages = {r[4] for r in results}
    assert stages <= {"linear", "transformer"}
    assert info["passed_to_transformer"] <= info["validation_posts"]


def test_cascade_scan_reports_its_stages(
    linear_model_dir, transformer_model_dir, corpus_rows, tmp_path, monkeypatch
):
    import json
    import shutil
    from collections import Counter

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
    local = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert Counter(r["stage"] for r in local.values()) == summary["stages"]
    assert not any(r["flagged"] for r in local.values() if r["stage"] == "linear")

    # The Ray engine runs the same cascade (its cut-off from the same cache) and scores every row alike.
    pytest.importorskip("ray")
    ray_out = tmp_path / "ray-out"
    args = ["scan", str(feed), "-o", str(ray_out), "--engine", "ray", "--model", str(model)]
    result = CliRunner().invoke(app, [*args, "--cascade", str(linear_model_dir), "--workers", "1"])
    assert result.exit_code == 0, result.output
    ray_summary = json.loads((ray_out / "_summary.json").read_text())
    assert ray_summary["stages"] == summary["stages"]
    ray_rows = [
        json.loads(line)
        for part in (ray_out / "feed").glob("*.json")
        for line in part.read_text().splitlines()
    ]
    assert {r["id"]: (r["stage"], r["flagged"]) for r in ray_rows} == {
        i: (r["stage"], r["flagged"]) for i, r in local.items()
    }


def test_a_cascade_whose_first_stage_is_not_linear_is_refused_with_a_clear_error(
    transformer_model_dir, corpus_rows, tmp_path, monkeypatch
):
    from typer.testing import CliRunner

    from netra.cli import app
    from tests.test_scan import write_feed

    monkeypatch.setenv("NETRA_HOME", str(tmp_path / "home"))
    feed = tmp_path / "feed.csv"
    write_feed(feed, corpus_rows, 20)
    model = str(transformer_model_dir)
    args = ["scan", str(feed), "-o", str(tmp_path / "o.jsonl"), "--model", model, "--cascade", model]
    result = CliRunner().invoke(app, [*args, "--workers", "1"])
    assert result.exit_code == 2
    assert "--cascade" in result.output and "must be a linear model" in result.output
    assert not (tmp_path / "o.jsonl").exists()


def test_cascade_needs_a_linear_first_stage(transformer_model_dir):
    transformer = Classifier.from_pretrained(transformer_model_dir)
    with pytest.raises(ValueError, match="must be a linear model"):
        Cascade(transformer, transformer, cutoff=0.5)
    with pytest.raises(ValueError, match="linear model's"):
        transformer.predict_with_screen(["Ayo coblos nomor 2"])
