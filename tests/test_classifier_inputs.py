"""Edge cases of `Classifier.predict` and of model loading."""

from __future__ import annotations

import pytest

from netra.model import Classifier, ModelFolderError


def test_empty_list_gives_empty_list(linear_model):
    assert linear_model.predict([]) == []


def test_blank_texts_get_a_defined_zero_score(linear_model):
    results = linear_model.predict(["", "   \n\t", "Ayo dukung Pak Darmo nomor 3 di pilkada besok!"])
    assert len(results) == 3
    for blank in results[:2]:
        assert blank.score == 0.0 and not blank.flagged and blank.evidence == []
        assert all(v == 0.0 for v in blank.categories.values())


def test_order_is_kept_and_batching_does_not_change_results(linear_model, corpus_rows):
    texts = [r["text"] for r in corpus_rows[:300]]
    together = linear_model.predict(texts, batch_size=300)
    one_by_one = [linear_model.predict([t])[0] for t in texts[:40]]
    assert together[:40] == one_by_one


def test_wrong_input_types_are_rejected(linear_model):
    with pytest.raises(TypeError, match="not a single string"):
        linear_model.predict("satu teks")
    with pytest.raises(TypeError, match=r"text 1 is int"):
        linear_model.predict(["ok", 5])
    with pytest.raises(ValueError, match="evidence must be"):
        linear_model.predict(["ok"], evidence="some")


def test_loading_errors_are_clear(tmp_path, tiny_bert_dir):
    with pytest.raises(ModelFolderError, match=r"no config\.json"):
        Classifier.from_pretrained(tmp_path)
    with pytest.raises(ModelFolderError, match="no 'netra' key"):
        Classifier.from_pretrained(tiny_bert_dir)
