"""The linear backend: train -> save -> load gives identical scores, no pickle, valid evidence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from netra.model import Classifier
from netra.model.features import TfidfFeatures


def test_reload_gives_identical_predictions(linear_model_dir, linear_model, corpus_rows, tmp_path):
    texts = [r["text"] for r in corpus_rows if r["split"] == "test"][:200]
    before = linear_model.predict(texts, evidence="all")
    copy_dir = linear_model.save_pretrained(tmp_path / "copy")
    after = Classifier.from_pretrained(copy_dir).predict(texts, evidence="all")
    assert before == after


def test_model_folder_is_plain_and_has_no_pickle(linear_model_dir):
    names = {p.name for p in linear_model_dir.iterdir()}
    assert {
        "config.json",
        "model.safetensors",
        "vocabulary.json",
        "README.md",
        "training_config.yaml",
    } <= names
    assert {"pr_curve.png", "reliability.png"} <= names
    for path in linear_model_dir.rglob("*"):
        assert path.suffix not in {".pkl", ".pickle", ".joblib", ".bin", ".pt"}
        if path.is_file():
            assert not path.read_bytes().startswith(b"\x80"), f"{path} looks like a pickle"
    meta = json.loads((linear_model_dir / "config.json").read_text())["netra"]
    for key in (
        "kind",
        "version",
        "labels",
        "threshold",
        "calibration",
        "normalizer",
        "data_hash",
        "metrics",
    ):
        assert key in meta
    card = (linear_model_dir / "README.md").read_text()
    for heading in ("PR-AUC", "Per category", "False-positive rate per neutral look-alike", "Camp symmetry"):
        assert heading in card


def test_fast_features_equal_scikit_learn(corpus_rows):
    from sklearn.feature_extraction.text import TfidfVectorizer

    from netra.model.features import char_ngrams_of_token, word_ngrams
    from netra.model.normalize import Normalizer

    norm = Normalizer()
    texts = [norm(r["text"]) for r in corpus_rows[:400]]
    features = TfidfFeatures.fit(texts)
    word = TfidfVectorizer(
        analyzer=lambda t: word_ngrams(t.split()), min_df=2, sublinear_tf=True, vocabulary=features.word_vocab
    )
    char = TfidfVectorizer(
        analyzer=lambda t: [g for tok in t.split() for g in char_ngrams_of_token(tok)],
        min_df=2,
        sublinear_tf=True,
        vocabulary=features.char_vocab,
    )
    word.fit(texts)
    char.fit(texts)
    ours = features.transform(texts).toarray()
    theirs = np.hstack([word.transform(texts).toarray(), char.transform(texts).toarray()])
    np.testing.assert_allclose(ours, theirs, atol=1e-10)


def test_predict_returns_scores_categories_and_evidence(linear_model):
    texts = [
        "Bapak ibu guru, mohon kumpulkan fotokopi KTP wali murid utk dukungan ke Pak Darmo paling lambat Senin ya 🙏",
        "Jadwal debat kandidat bupati malam ini di TVRI, simak semua visi misinya sebelum memilih.",
    ]
    first, second = linear_model.predict(texts)
    assert 0.0 <= second.score <= 1.0 and 0.0 <= first.score <= 1.0
    assert set(first.categories) == set(second.categories) and len(first.categories) == 8
    assert first.model_version == linear_model.version
    if first.flagged:
        assert 1 <= len(first.evidence) <= 5
        weights = [e.weight for e in first.evidence]
        assert weights == sorted(weights, reverse=True)
        for e in first.evidence:
            assert texts[0][e.start : e.end] == e.text


@pytest.mark.parametrize(
    "text",
    [
        "Mari dukung 👉 Pak Hendro 👈 nomor 2️⃣ demi Sukamaju! 🇮🇩🔥 #HendroLagi",
        "Ayo coblos Bu Ratna — ‘pemimpin yang amanah’ — kita menangkan bersama di TPS 😍😍",
        "Ikut kampanye akbar paslon 3 td siang, ramé bgt ✌️ jaket oranye semua 🧡",
    ],
)
def test_evidence_offsets_valid_for_emoji_and_multibyte(linear_model, text):
    (prediction,) = linear_model.predict([text], evidence="all")
    assert prediction.evidence
    for e in prediction.evidence:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start : e.end] == e.text


def test_default_model_meets_quality_bar(linear_model_dir):
    meta = json.loads((linear_model_dir / "config.json").read_text())["netra"]
    test = meta["metrics"]["test"]
    assert test["partisan"]["f1"] >= 0.85
    assert test["camp_symmetry"]["mean_abs_delta"] <= 0.03
