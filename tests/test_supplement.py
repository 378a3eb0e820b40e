"""Labeled posts written after corpus v1: a separate supplement for training, never in the test split."""

from __future__ import annotations

import json

import pytest

from netra.data.assemble import assemble_supplement
from netra.training.config import TrainConfig
from netra.training.dataset import training_data_for


def _batch(folder, rows):
    folder.mkdir(parents=True)
    (folder / "part01.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )


def _post(text, **extra):
    row = {
        "text": text,
        "label": "neutral",
        "categories": [],
        "lookalike": "non_politik",
        "platform": "whatsapp",
        "register": "informal",
        "contest": "none",
    }
    return {**row, **extra}


def test_supplement_drops_copies_and_near_copies_of_corpus_posts(corpus_rows, tmp_path):
    test_post = next(r["text"] for r in corpus_rows if r["split"] == "test" and len(r["text"]) > 80)
    fresh = "Bakso Mang Udin di pengkolan pasar buka lagi setelah renovasi, kuahnya tetap juara 🍜"
    _batch(
        tmp_path / "raw" / "x1",
        [
            _post(fresh),
            _post(test_post.upper()),  # exact copy after case/space normalising
            _post(test_post[:-3] + "!!!"),  # near copy of a frozen test post
            _post(fresh + " "),  # a copy of a new post
        ],
    )
    out = tmp_path / "supplement.jsonl"
    report = assemble_supplement([tmp_path / "raw" / "x1"], corpus_rows, out)
    assert report == {"read": 4, "kept": 1, "dropped_duplicates": 3}
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["text"] == fresh and row["id"] == "x1-0001" and "split" not in row


def test_supplement_rejects_a_bad_row_with_its_id(corpus_rows, tmp_path):
    _batch(tmp_path / "raw" / "x2", [_post("Selamat pagi semua"), _post("Ayo", label="maybe")])
    with pytest.raises(ValueError, match="x2-0002: unknown label 'maybe'"):
        assemble_supplement([tmp_path / "raw" / "x2"], corpus_rows, tmp_path / "s.jsonl")
    assert not (tmp_path / "s.jsonl").exists()


def test_config_label_files_reach_train_and_validation_only(tmp_path):
    rows = [_post(f"Catatan harian nomor {i}: hari ini hujan lagi, jemuran tidak kering") for i in range(60)]
    path = tmp_path / "supplement.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    data = training_data_for(TrainConfig(name="t", kind="linear", extra_labels=[str(path)]).validate())
    texts = {r["text"] for r in rows}
    assert not texts & {r["text"] for r in data.test}
    added = [r for r in data.train + data.validation if r["text"] in texts]
    assert len(added) == 60 and {r["origin"] for r in added} == {"analyst"}
    assert any(r in data.validation for r in added) and any(r in data.train for r in added)
    base = training_data_for(TrainConfig(name="t", kind="linear").validate())
    assert base.data_hash != data.data_hash
