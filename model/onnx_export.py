"""`netra export onnx`: the transformer as an ONNX graph (fp32) and a dynamically quantised int8 graph.

The int8 graph is accepted (used by `runtime="auto"`) only if, on the written posts of the corpus test
split, its flag decisions agree with the fp32 PyTorch model on at least 99% of posts and its partisan F1
is at most 0.01 lower. Both figures are reported and stored in `config.json` (`netra.onnx`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from netra.model.transformer import ONNX_FP32, ONNX_INT8

MIN_AGREEMENT = 0.99
MAX_F1_DROP = 0.01


def _f1(flags: np.ndarray, gold: np.ndarray) -> float:
    tp = int((flags & gold).sum())
    fp = int((flags & ~gold).sum())
    fn = int((~flags & gold).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def export_onnx(
    folder: str | Path, quantize: str | None = None, rows: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    import torch

    from netra.model import Classifier

    folder = Path(folder)
    reference = Classifier.from_pretrained(folder, runtime="torch")
    if reference.kind != "transformer":
        raise ValueError(
            f"{folder} is a {reference.kind} model; only transformer models are exported to ONNX"
        )
    model = reference.backend.model.eval()
    sample = reference.backend.tokenizer(
        ["contoh unggahan", "contoh unggahan yang lebih panjang sedikit"], padding=True, return_tensors="pt"
    )
    torch.onnx.export(
        model,
        (sample["input_ids"], sample["attention_mask"]),
        str(folder / ONNX_FP32),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "sequence"},
            "attention_mask": {0: "batch", 1: "sequence"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    report: dict[str, Any] = {"fp32": {"file": ONNX_FP32}}
    if rows is None:
        from netra.data.corpus import load_records

        rows = [r for r in load_records() if r["split"] == "test" and r["origin"] == "written"]
    texts = [r["text"] for r in rows]
    gold = np.array([r["label"] == "partisan" for r in rows])
    base = reference.predict(texts, evidence="none")
    base_flags = np.array([p.flagged for p in base])
    base_scores = np.array([p.score for p in base])
    fp32 = Classifier.from_pretrained(folder, runtime="onnx").predict(texts, evidence="none")
    report["fp32"]["max_abs_score_diff"] = float(
        np.max(np.abs(np.array([p.score for p in fp32]) - base_scores))
    )
    report["fp32"]["agreement"] = float(np.mean(np.array([p.flagged for p in fp32]) == base_flags))
    if quantize == "int8":
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(folder / ONNX_FP32), str(folder / ONNX_INT8), weight_type=QuantType.QInt8)
        int8 = Classifier.from_pretrained(folder, runtime="onnx-int8").predict(texts, evidence="none")
        flags = np.array([p.flagged for p in int8])
        agreement = float(np.mean(flags == base_flags))
        f1_drop = _f1(base_flags, gold) - _f1(flags, gold)
        report["int8"] = {
            "file": ONNX_INT8,
            "agreement": agreement,
            "f1_fp32": _f1(base_flags, gold),
            "f1_int8": _f1(flags, gold),
            "f1_drop": f1_drop,
            "posts": len(texts),
            "accepted": agreement >= MIN_AGREEMENT and f1_drop <= MAX_F1_DROP,
        }
    elif quantize is not None:
        raise ValueError(f"unknown quantisation {quantize!r}: only int8 is supported")
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["netra"]["onnx"] = report
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
