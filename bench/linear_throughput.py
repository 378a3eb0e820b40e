"""Linear `Classifier.predict` throughput on this machine (target: >= 5,000 posts/s on 2 cores).

    .venv/bin/python bench/linear_throughput.py [--model models/default] [--posts 50000]

Posts are the corpus texts repeated and lightly varied (a suffix number), so every post brings an
unseen token, as on a real feed; the token caches are warmed on other posts first, as they are
after the first seconds of a long scan. Reports posts/s with evidence for flagged posts (the default)
and without evidence."""

from __future__ import annotations

import argparse
import json
import time

from netra.data.corpus import load_records
from netra.model import Classifier
from netra.paths import default_model_path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(default_model_path()))
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=1024)
    args = parser.parse_args()
    clf = Classifier.from_pretrained(args.model)
    base = [r["text"] for r in load_records()]
    texts = [f"{base[i % len(base)]} #{i}" for i in range(args.posts)]
    # Warm-up on other posts: a long scan runs with warm token caches.
    clf.predict([f"{t} ~" for t in base], batch_size=args.batch_size)
    result = {"model": clf.version, "posts": len(texts), "batch_size": args.batch_size}
    for mode in ("flagged", "none"):
        start = time.perf_counter()
        for i in range(0, len(texts), args.batch_size):
            clf.predict(texts[i : i + args.batch_size], batch_size=args.batch_size, evidence=mode)
        elapsed = time.perf_counter() - start
        result[f"posts_per_s_evidence_{mode}"] = round(len(texts) / elapsed)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
