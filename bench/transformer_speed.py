"""Transformer inference speed on CPU, all in one run on the same posts (issue: fast transformer inference).

    .venv/bin/python bench/transformer_speed.py [--posts 2000] [--out bench/out/transformer_speed.json]

1. Builds an IndoBERT-base-shaped model locally (vocab 50,000, 12 layers, hidden 768, random weights:
   speed does not depend on the weight values; never used for quality) as a Netra model folder.
2. Picks posts from the corpus with a realistic length mix (median about 40 tokens, tail to 256).
3. Posts/s for: the plain Hugging Face `pipeline("text-classification", batch_size=32)`, Netra torch
   (without and with evidence for flagged posts), Netra ONNX fp32, Netra ONNX int8; ratios to the pipeline.
4. p50/p99 latency of single-post `/v1/score` calls from 8 concurrent loopback clients, without and
   with dynamic batching, and the server's peak RSS.
5. A scan of a feed in which 10% of posts are political (built from test-split posts, which neither
   model was trained or calibrated on): transformer alone vs the linear cascade, with the cut-off
   calibrated against a small fine-tuned stand-in transformer (`--stand-in-base` fine-tunes it from a
   base pretrained by `bench/stand_in_base.py`); and, as a bound, the same cascade scan with the cut-off a
   perfect transformer (flags = the gold labels of the validation split) would give.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_model(folder: Path, texts: list[str]) -> None:
    from netra.model import Classifier
    from netra.model.normalize import Normalizer
    from netra.model.transformer import TransformerModel
    from netra.training.local_bert import build_local_bert

    norm = Normalizer()
    base = folder.parent / "base"
    build_local_bert(
        base,
        [norm(t) for t in texts],
        vocab_size=50_000,
        hidden_size=768,
        num_layers=12,
        num_heads=12,
        intermediate_size=3072,
        max_position=512,
    )
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(
        str(base), num_labels=9, ignore_mismatched_sizes=True
    )
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    meta = {
        "version": "bench-indobert-shaped",
        "threshold": 0.5,
        "calibration": {"method": "temperature", "temperature": 1.0},
        "max_length": 256,
        "kind": "transformer",
    }
    Classifier(TransformerModel(model, tokenizer, max_length=256), "transformer", meta).save_pretrained(
        folder
    )


def pick_posts(n: int, tokenizer) -> list[str]:
    from netra.data.corpus import load_records

    rng = random.Random(3)
    texts = [r["text"] for r in load_records() if r["origin"] == "written"]
    rng.shuffle(texts)
    return texts[:n]


def written(split: str) -> list[dict]:
    """The corpus's written (not augmented) posts of one split."""
    from netra.data.corpus import load_records

    return [r for r in load_records() if r["split"] == split and r["origin"] == "written"]


def timed(fn, *args, **kwargs) -> float:
    started = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - started


def latency_run(
    folder: Path, home: Path, batch_ms: float, requests_per_client: int, texts: list[str], evidence: str
) -> dict:
    from bench.api_latency import Server, single_post_latency

    server = Server(folder, home, batch_ms, {"NETRA_RUNTIME": "onnx-int8", "NETRA_EVIDENCE": evidence})
    try:
        result = single_post_latency(server, texts, clients=8, per_client=requests_per_client)
    finally:
        server.stop()
    return {
        "batch_wait_ms": batch_ms,
        "evidence": evidence,
        **result,
        "server_peak_rss_mb": round(server.peak / 2**20),
    }


def scan_feed(path: Path, n: int, political_share: float) -> None:
    """A CSV feed of `n` rows drawn from the written test-split posts: `political_share` of them about
    an election (partisan or not), the rest with no contest (everyday life, public services, policy)."""
    import csv

    rows = written("test")
    political = [r["text"] for r in rows if r["contest"] != "none"]
    everyday = [r["text"] for r in rows if r["contest"] == "none"]
    rng = random.Random(5)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        for i in range(n):
            pool = political if rng.random() < political_share else everyday
            writer.writerow([f"r{i}", rng.choice(pool)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--latency-requests", type=int, default=25, help="per client (8 clients)")
    parser.add_argument("--scan-rows", type=int, default=6000)
    parser.add_argument("--stand-in", help="reuse a stand-in transformer trained by an earlier run")
    parser.add_argument(
        "--stand-in-base", help="fine-tune the stand-in from this pretrained base (bench/stand_in_base.py)"
    )
    parser.add_argument("--stand-in-steps", type=int, default=400)
    parser.add_argument("--out", default=str(ROOT / "bench/out/transformer_speed.json"))
    parser.add_argument(
        "--parts", default="speed,latency,cascade", help="comma-separated: speed, latency, cascade"
    )
    parser.add_argument("--model-dir", help="reuse a model folder built (and exported) by an earlier run")
    parser.add_argument(
        "--cascade-recalls",
        default="",
        help="comma-separated lower target recalls to scan as well (the speed/recall trade-off)",
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    import torch
    from transformers import AutoTokenizer

    work = Path(tempfile.mkdtemp(prefix="netra-tbench-"))
    from netra.data.corpus import load_records

    if args.model_dir:
        folder = Path(args.model_dir)
    else:
        folder = work / "model"
        build_model(folder, [r["text"] for r in load_records()])
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    texts = pick_posts(args.posts, tokenizer)
    lengths = sorted(len(x) for x in tokenizer(texts, truncation=True, max_length=256)["input_ids"])
    result: dict = {
        "machine": {"cpus": os.cpu_count(), "torch_threads": torch.get_num_threads()},
        "posts": len(texts),
        "tokens": {
            "median": lengths[len(lengths) // 2],
            "p90": lengths[9 * len(lengths) // 10],
            "max": lengths[-1],
        },
    }
    print(json.dumps(result), file=sys.stderr)

    if "speed" in parts:
        measure_speed(result, folder, texts, tokenizer)
    if "latency" in parts:
        result["latency"] = [
            latency_run(folder, work / f"home-{ms}-{ev}", ms, args.latency_requests, texts, ev)
            for ev in ("none", "flagged")
            for ms in (0, 10)
        ]
        print(json.dumps(result["latency"]), file=sys.stderr)
    if "cascade" in parts:
        result["cascade_scan"] = measure_cascade(
            folder,
            work,
            args.scan_rows,
            args.stand_in,
            args.stand_in_base,
            args.stand_in_steps,
            tuple(float(r) for r in args.cascade_recalls.split(",") if r),
        )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


def measure_speed(result: dict, folder: Path, texts: list[str], tokenizer) -> None:
    from transformers import pipeline

    from netra.model import Classifier
    from netra.model.onnx_export import export_onnx

    torch_clf = Classifier.from_pretrained(folder, runtime="torch")
    pipe = pipeline(
        "text-classification",
        model=torch_clf.backend.model,
        tokenizer=tokenizer,
        batch_size=32,
        truncation=True,
        max_length=256,
        top_k=None,
        device=-1,
    )
    speeds = {}
    speeds["hf_pipeline"] = len(texts) / timed(pipe, texts)
    print("pipeline", speeds, file=sys.stderr)
    speeds["netra_torch"] = len(texts) / timed(torch_clf.predict, texts, evidence="none")
    speeds["netra_torch_with_evidence"] = len(texts) / timed(torch_clf.predict, texts, evidence="flagged")
    print("torch", speeds, file=sys.stderr)
    onnx_report = export_onnx(folder, quantize="int8")
    result["onnx_export"] = onnx_report
    speeds["netra_onnx_fp32"] = len(texts) / timed(
        Classifier.from_pretrained(folder, runtime="onnx").predict, texts, evidence="none"
    )
    int8 = Classifier.from_pretrained(folder, runtime="onnx-int8")
    speeds["netra_onnx_int8"] = len(texts) / timed(int8.predict, texts, evidence="none")
    speeds["netra_onnx_int8_with_evidence"] = len(texts) / timed(int8.predict, texts, evidence="flagged")
    result["posts_per_s"] = {k: round(v, 1) for k, v in speeds.items()}
    result["ratio_to_pipeline"] = {k: round(v / speeds["hf_pipeline"], 2) for k, v in speeds.items()}
    print(json.dumps(result["posts_per_s"]), file=sys.stderr)


def stand_in_transformer(work: Path, pretrained_base: str | None = None, steps: int = 400) -> Path:
    """A small BERT fine-tuned on the corpus: its flags follow the content, as a fine-tuned IndoBERT's
    would (the random-weight base-shaped model flags at random, so a cascade cut-off calibrated against it
    would mean nothing). Used only to choose the cascade cut-off.

    `pretrained_base`: a base pretrained with `bench/stand_in_base.py` (masked-LM on the training texts),
    closer to what fine-tuning IndoBERT starts from; without it, random weights (a weaker stand-in)."""
    from netra.data.corpus import load_records
    from netra.model.normalize import Normalizer
    from netra.training.config import load_config
    from netra.training.local_bert import build_local_bert
    from netra.training.pipeline import train

    if pretrained_base:
        base = Path(pretrained_base)
        learning_rate = "1e-4"
    else:
        norm = Normalizer()
        texts = [norm(r["text"]) for r in load_records() if r["split"] == "train"]
        base = build_local_bert(
            work / "small-base",
            texts,
            vocab_size=8000,
            hidden_size=256,
            num_layers=4,
            num_heads=4,
            intermediate_size=1024,
        )
        learning_rate = "5e-4"
    config = load_config(
        ROOT / "training/configs/indobert-base.yaml",
        [
            f"base_model={base}",
            f"max_steps={steps}",
            "batch_size=32",
            "max_length=128",
            f"learning_rate={learning_rate}",
        ],
    )
    return train(config, work / "small")


def stand_in_flags_kept(cascade) -> dict:
    """On the test split: how many of the stand-in transformer's own flags the cascade keeps."""
    import numpy as np

    test = [r["text"] for r in written("test")]
    alone = np.array([p.flagged for p in cascade.transformer.predict(test, evidence="none")])
    through = np.array([r[1] for r in cascade.score(test, threshold=None, evidence=False)])
    return {
        "flags": int(alone.sum()),
        "kept": int((through & alone).sum()),
        "share": round(float(through[alone].mean()), 3),
    }


def oracle_cutoff(linear) -> float:
    """The cut-off a perfect transformer (its flags = the gold labels of the validation split) would give:
    a bound on the cascade with this linear model."""
    import numpy as np

    from netra.scan.cascade import choose_cutoff

    validation = written("validation")
    scores = linear.predict_with_screen([r["text"] for r in validation])[1]
    return choose_cutoff(scores, np.array([r["label"] == "partisan" for r in validation]), 0.99)


def measure_cascade(
    folder: Path,
    work: Path,
    rows: int,
    stand_in: str | None,
    stand_in_base: str | None,
    steps: int,
    other_recalls: tuple[float, ...] = (),
) -> dict:
    from netra.model import Classifier
    from netra.scan.cascade import CASCADE_FILE, Cascade

    linear = Classifier.from_pretrained(ROOT / "models/default")
    small = Classifier.from_pretrained(stand_in or stand_in_transformer(work, stand_in_base, steps))
    (small.folder / CASCADE_FILE).unlink(missing_ok=True)  # calibrate afresh
    stand_in = Cascade(linear, small)  # calibrates the cut-off on the validation split
    kept = stand_in_flags_kept(stand_in)
    calibration = json.loads((small.folder / CASCADE_FILE).read_text())
    (folder / CASCADE_FILE).write_text(
        json.dumps(calibration, indent=2)
    )  # the base-shaped model uses that cut-off
    feed = work / "feed.csv"
    scan_feed(feed, rows, 0.10)
    env = {**os.environ, "NETRA_HOME": str(work / "scan-home"), "NETRA_RUNTIME": "onnx-int8"}
    netra = str(ROOT / ".venv/bin/netra")
    # Evidence off in all runs: the random-weight model flags nearly everything, which would make the
    # transformer-only run pay for evidence the cascade run does not.
    common = ["--model", str(folder), "--workers", "1", "--no-evidence"]

    def scan(name: str, *extra: str) -> tuple[float, dict]:
        seconds = timed(
            subprocess.run,
            [netra, "scan", str(feed), "-o", str(work / f"{name}.jsonl"), *common, *extra],
            env=env,
            check=True,
            capture_output=True,
        )
        return seconds, json.loads((work / f"{name}.jsonl.summary.json").read_text())

    alone, alone_summary = scan("alone")
    cascade, summary = scan("cascade", "--cascade", str(ROOT / "models/default"))
    alone_scan = alone_summary["seconds_this_run"]
    trade_off = []  # the same scan at lower recalls: what speed each point of recall costs
    for recall in other_recalls:
        at = Cascade(linear, small, target_recall=recall)  # adds its cut-off to the stand-in's cache
        (folder / CASCADE_FILE).write_text((small.folder / CASCADE_FILE).read_text())
        _, at_summary = scan(
            f"cascade-{recall}", "--cascade", str(ROOT / "models/default"), "--cascade-recall", str(recall)
        )
        trade_off.append(
            {
                "target_recall": recall,
                "cutoff": at.cutoff,
                "passed_share": round(at_summary["stages"].get("transformer", 0) / rows, 3),
                "cascade_scan_s": at_summary["seconds_this_run"],
                "speedup_scan_only": round(alone_scan / at_summary["seconds_this_run"], 2),
                "test_flags_kept_by_cascade": stand_in_flags_kept(at),
            }
        )
        print(json.dumps(trade_off[-1]), file=sys.stderr)
    # The same scan with the cut-off a perfect transformer would give (a bound for this linear model).
    bound = oracle_cutoff(linear)
    (folder / CASCADE_FILE).write_text(
        json.dumps({key: {**info, "cutoff": bound} for key, info in calibration.items()}, indent=2)
    )
    _, oracle_summary = scan("oracle", "--cascade", str(ROOT / "models/default"))
    small_test = small.meta["metrics"]["test"]["partisan"]
    return {
        "rows": rows,
        "political_share": 0.10,
        "cutoff": stand_in.cutoff,
        "calibration": calibration,
        "stand_in_transformer": {
            "version": small.version,
            "base": small.meta.get("base_model", "?"),
            "test_flags_kept_by_cascade": kept,
            "test_f1": round(small_test["f1"], 3),
            "test_precision": round(small_test["precision"], 3),
            "test_recall": round(small_test["recall"], 3),
        },
        "transformer_only_s": round(alone, 1),
        "cascade_s": round(cascade, 1),
        "speedup": round(alone / cascade, 2),
        "transformer_only_scan_s": alone_scan,
        "cascade_scan_s": summary["seconds_this_run"],
        "speedup_scan_only": round(alone_scan / summary["seconds_this_run"], 2),
        "stages": summary["stages"],
        "passed_share": round(summary["stages"].get("transformer", 0) / rows, 3),
        "perfect_transformer": {
            "cutoff": bound,
            "stages": oracle_summary["stages"],
            "passed_share": round(oracle_summary["stages"].get("transformer", 0) / rows, 3),
            "cascade_scan_s": oracle_summary["seconds_this_run"],
            "speedup_scan_only": round(alone_scan / oracle_summary["seconds_this_run"], 2),
        },
        "lower_recalls": trade_off,
    }


if __name__ == "__main__":
    main()
