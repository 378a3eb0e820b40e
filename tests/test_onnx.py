"""ONNX export round trip and the int8 acceptance check (tiny local BERT)."""

from __future__ import annotations

import json
import shutil

import pytest

from netra.model import Classifier


@pytest.fixture(scope="module")
def exported(transformer_model_dir, tmp_path_factory):
    from netra.model.onnx_export import export_onnx

    folder = tmp_path_factory.mktemp("onnx") / "model"
    shutil.copytree(transformer_model_dir, folder)
    report = export_onnx(folder, quantize="int8")
    return folder, report


def test_export_round_trips(exported, corpus_rows):
    folder, report = exported
    assert (folder / "model.onnx").exists() and (folder / "model.int8.onnx").exists()
    assert report["fp32"]["max_abs_score_diff"] < 1e-4 and report["fp32"]["agreement"] == 1.0
    texts = [r["text"] for r in corpus_rows[:50]] + ["Mari dukung 👉 Pak Hendro nomor 2️⃣ 🇮🇩"]
    torch_scores = [p.score for p in Classifier.from_pretrained(folder, runtime="torch").predict(texts)]
    onnx = Classifier.from_pretrained(folder, runtime="onnx")
    assert onnx.backend.runtime == "onnx"
    onnx_predictions = onnx.predict(texts, evidence="all")
    assert [p.score for p in onnx_predictions] == pytest.approx(torch_scores, abs=1e-4)
    assert all(texts[-1][e.start : e.end] == e.text for e in onnx_predictions[-1].evidence)


def test_int8_check_is_reported_and_decides_the_runtime(exported):
    folder, report = exported
    int8 = report["int8"]
    for key in ("agreement", "f1_fp32", "f1_int8", "f1_drop", "accepted", "posts"):
        assert key in int8
    assert int8["accepted"] == (int8["agreement"] >= 0.99 and int8["f1_drop"] <= 0.01)
    meta = json.loads((folder / "config.json").read_text())["netra"]
    assert meta["onnx"]["int8"]["accepted"] == int8["accepted"]
    auto = Classifier.from_pretrained(folder)
    assert auto.backend.runtime == ("onnx-int8" if int8["accepted"] else "onnx")
    assert Classifier.from_pretrained(folder, runtime="onnx-int8").backend.runtime == "onnx-int8"


def test_export_refuses_a_linear_model(linear_model_dir, tmp_path):
    from netra.model.onnx_export import export_onnx

    folder = tmp_path / "linear"
    shutil.copytree(linear_model_dir, folder)
    with pytest.raises(ValueError, match="only transformer models"):
        export_onnx(folder)
