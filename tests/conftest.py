from __future__ import annotations

import json
from pathlib import Path

import pytest

from netra.data.corpus import DEFAULT_CORPUS, load_records


@pytest.fixture(scope="session")
def corpus_rows() -> list[dict]:
    return load_records(DEFAULT_CORPUS)


@pytest.fixture(scope="session")
def linear_model_dir(tmp_path_factory) -> Path:
    """The linear recipe trained on the shipped corpus (as `make setup` does for the default)."""
    from netra.training.config import load_config
    from netra.training.pipeline import train

    folder = tmp_path_factory.mktemp("linear") / "model"
    return train(load_config("training/configs/linear.yaml"), folder)


@pytest.fixture(scope="session")
def linear_model(linear_model_dir):
    from netra.model import Classifier

    return Classifier.from_pretrained(linear_model_dir)


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory, corpus_rows) -> Path:
    """A tiny random BERT with a WordPiece tokenizer trained on the (normalised) corpus."""
    from netra.model.normalize import Normalizer
    from netra.training.local_bert import build_local_bert

    normalizer = Normalizer()
    texts = [normalizer(r["text"]) for r in corpus_rows if r["split"] == "train"]
    return build_local_bert(tmp_path_factory.mktemp("tinybert") / "base", texts, vocab_size=3000)


@pytest.fixture(scope="session")
def transformer_model_dir(tmp_path_factory, tiny_bert_dir) -> Path:
    from netra.training.config import load_config
    from netra.training.pipeline import train

    config = load_config(
        "training/configs/indobert-base.yaml",
        [
            f"base_model={tiny_bert_dir}",
            "max_steps=150",
            "batch_size=16",
            "max_length=128",
            "learning_rate=1e-3",
        ],
    )
    return train(config, tmp_path_factory.mktemp("transformer") / "model")


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path
