"""A pretrained base for the cascade benchmark's stand-in transformer (masked-language-model pretraining).

The cascade's cut-off is calibrated against the transformer's flags, and IndoBERT's weights cannot be
downloaded here. A BERT fine-tuned from random weights is a poor stand-in: it flags everyday posts that
a pretrained model would not, which drags the cut-off down. This script gives the stand-in some
pretraining on the texts of the training split (never validation or test), in three steps:

    # here: normalised training texts, a WordPiece tokenizer and the model's shape
    .venv/bin/python bench/stand_in_base.py prepare .standin
    # on a GPU (plain PyTorch + transformers, no Netra install needed): MLM pretraining, bf16 shards
    python3 bench/stand_in_base.py pretrain .standin $OUT --steps 6000
    # here: fp32 checkpoint with the tokenizer, usable as `base_model` and by
    # `bench/transformer_speed.py --stand-in-base DIR`
    .venv/bin/python bench/stand_in_base.py finish .standin OUT_DIR DEST

`pretrain` also runs on a CPU (slowly); nothing here fakes pretraining when no GPU is lent.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHAPE = {"vocab_size": 16_000, "hidden_size": 384, "num_layers": 6, "num_heads": 6, "intermediate_size": 1536}


def prepare(work: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from netra.model.normalize import Normalizer
    from netra.training.config import load_config
    from netra.training.dataset import training_data_for
    from netra.training.local_bert import build_local_bert

    config = load_config(ROOT / "training/configs/indobert-base.yaml", [])
    data = training_data_for(config)
    norm = Normalizer()
    texts = [norm(r["text"]) for r in data.train]
    work.mkdir(parents=True, exist_ok=True)
    (work / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    base = build_local_bert(work / "base", texts, max_position=512, **SHAPE)
    (base / "model.safetensors").unlink()  # random weights: rebuilt from config.json where it trains
    print(f"{len(texts)} training texts, tokenizer and config in {base}")


def pretrain(work: Path, out: Path, steps: int, batch_size: int, max_length: int, lr: float) -> None:
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    torch.manual_seed(13)
    rng = random.Random(13)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(str(work / "base"))
    texts = json.loads((work / "texts.json").read_text(encoding="utf-8"))
    encoded = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
    config = BertConfig.from_pretrained(str(work / "base"))
    model = BertForMaskedLM(config).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = max(steps // 20, 1)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: min((s + 1) / warmup, 0.5 * (1 + math.cos(math.pi * min(s / steps, 1.0)))),
    )
    special = torch.tensor(tokenizer.all_special_ids, device=device)
    started, model_losses = time.time(), []
    for step in range(steps):
        batch = [encoded[rng.randrange(len(encoded))] for _ in range(batch_size)]
        width = max(len(x) for x in batch)
        ids = torch.full((batch_size, width), tokenizer.pad_token_id, dtype=torch.long)
        for i, x in enumerate(batch):
            ids[i, : len(x)] = torch.tensor(x)
        ids = ids.to(device)
        attention = (ids != tokenizer.pad_token_id).long()
        labels = ids.clone()
        candidates = ~torch.isin(ids, special)
        masked = (torch.rand(ids.shape, device=device) < 0.15) & candidates
        labels[~masked] = -100
        roll = torch.rand(ids.shape, device=device)
        inputs = ids.clone()
        inputs[masked & (roll < 0.8)] = tokenizer.mask_token_id
        swap = masked & (roll >= 0.8) & (roll < 0.9)
        inputs[swap] = torch.randint(len(tokenizer), ids.shape, device=device)[swap]
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
            loss = model(input_ids=inputs, attention_mask=attention, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        model_losses.append(loss.item())
        if (step + 1) % 500 == 0:
            recent = sum(model_losses[-500:]) / 500
            print(
                f"step {step + 1}/{steps} mlm loss {recent:.3f} ({time.time() - started:.0f} s)", flush=True
            )
    out.mkdir(parents=True, exist_ok=True)
    model.to(torch.bfloat16).save_pretrained(str(out), max_shard_size="12MB", safe_serialization=True)
    (out / "pretrain.json").write_text(
        json.dumps(
            {
                "steps": steps,
                "batch_size": batch_size,
                "learning_rate": lr,
                "texts": len(texts),
                "final_mlm_loss": round(sum(model_losses[-500:]) / min(500, len(model_losses)), 3),
                "seconds": round(time.time() - started, 1),
                "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
            },
            indent=2,
        )
    )


def finish(work: Path, trained: Path, dest: Path) -> None:
    import torch
    from transformers import AutoTokenizer, BertForMaskedLM

    model = BertForMaskedLM.from_pretrained(str(trained), torch_dtype=torch.float32)
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(dest), safe_serialization=True)
    AutoTokenizer.from_pretrained(str(work / "base")).save_pretrained(str(dest))
    if (trained / "pretrain.json").exists():
        (dest / "pretrain.json").write_text((trained / "pretrain.json").read_text())
    print(f"pretrained base in {dest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("work", type=Path)
    p = sub.add_parser("pretrain")
    p.add_argument("work", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--steps", type=int, default=6000)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--lr", type=float, default=5e-4)
    p = sub.add_parser("finish")
    p.add_argument("work", type=Path)
    p.add_argument("trained", type=Path)
    p.add_argument("dest", type=Path)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.work)
    elif args.command == "pretrain":
        pretrain(args.work, args.out, args.steps, args.batch_size, args.max_length, args.lr)
    else:
        finish(args.work, args.trained, args.dest)


if __name__ == "__main__":
    main()
