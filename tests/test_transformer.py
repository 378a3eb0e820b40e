"""The transformer path end to end on a tiny BERT built in the tests (random init, corpus tokenizer)."""

from __future__ import annotations

import json

import pytest

from netra.model import Classifier


@pytest.fixture(scope="module")
def transformer(transformer_model_dir):
    return Classifier.from_pretrained(transformer_model_dir)


def test_folder_is_a_plain_hugging_face_folder(transformer_model_dir):
    names = {p.name for p in transformer_model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "README.md"} <= names
    config = json.loads((transformer_model_dir / "config.json").read_text())
    assert config["model_type"] == "bert"
    assert len(config["id2label"]) == 9
    meta = config["netra"]
    assert meta["kind"] == "transformer"
    assert meta["calibration"]["method"] == "temperature"
    assert not any(p.suffix in {".bin", ".pkl", ".pt"} for p in transformer_model_dir.iterdir())


def test_save_load_gives_identical_predictions(transformer, corpus_rows, tmp_path):
    texts = [r["text"] for r in corpus_rows if r["split"] == "test"][:40]
    before = transformer.predict(texts, evidence="all")
    reloaded = Classifier.from_pretrained(transformer.save_pretrained(tmp_path / "copy"))
    after = reloaded.predict(texts, evidence="all")
    assert [p.score for p in before] == [p.score for p in after]
    assert [p.evidence for p in before] == [p.evidence for p in after]


def test_length_bucketing_keeps_order_and_equals_unbatched(transformer, corpus_rows):
    texts = sorted((r["text"] for r in corpus_rows[:60]), key=len, reverse=True)
    texts = texts[::2] + texts[1::2]  # mixed lengths
    batched = transformer.predict(texts, batch_size=16, evidence="none")
    single = [transformer.predict([t], evidence="none")[0] for t in texts]
    for a, b in zip(batched, single, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-5)


def test_evidence_is_the_same_in_small_token_budget_batches(transformer_model_dir, corpus_rows):
    texts = [r["text"] for r in corpus_rows if r["split"] == "validation"][:24]
    wide = Classifier.from_pretrained(transformer_model_dir)
    narrow = Classifier.from_pretrained(transformer_model_dir)
    narrow.backend.evidence_token_budget = 64  # mostly one post per backward pass
    assert len(narrow.backend.batches([60] * 8, 16, 64)) == 8
    for a, b in zip(wide.predict(texts, evidence="all"), narrow.predict(texts, evidence="all"), strict=True):
        assert [(e.start, e.end) for e in a.evidence] == [(e.start, e.end) for e in b.evidence]
        assert [e.weight for e in a.evidence] == pytest.approx([e.weight for e in b.evidence], abs=1e-4)


def test_lazily_loaded_pytorch_weights_are_frozen(transformer_model_dir, tmp_path):
    import shutil

    from netra.model.onnx_export import export_onnx

    folder = tmp_path / "m"
    shutil.copytree(transformer_model_dir, folder)
    export_onnx(folder)
    clf = Classifier.from_pretrained(folder, runtime="onnx")
    (flagged,) = clf.predict(["Ayo coblos nomor 2, dukung terus!"], evidence="all", threshold=0.0)
    assert flagged.evidence
    assert not any(p.requires_grad for p in clf.backend.model.parameters())


@pytest.mark.parametrize(
    "text",
    [
        "Mari dukung 👉 Pak Hendro 👈 nomor 2️⃣ demi Sukamaju! 🇮🇩🔥 #HendroLagi",
        "Résumé kegiatan: kampanye akbar — ‘luar biasa’ 😍 ✌🏽 di lapangan",
        "ꦲꦏ꧀ꦱꦫ Jawa + emoji 🙏🙏 coblos nomer 4",
    ],
)
def test_evidence_offsets_are_valid_for_emoji_and_multibyte(transformer, text):
    (prediction,) = transformer.predict([text], evidence="all")
    assert prediction.evidence
    for e in prediction.evidence:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start : e.end] == e.text
    weights = [e.weight for e in prediction.evidence]
    assert weights == sorted(weights, reverse=True)


def test_model_card_reports_metrics(transformer_model_dir):
    card = (transformer_model_dir / "README.md").read_text()
    assert "Camp symmetry" in card and "PR-AUC" in card
