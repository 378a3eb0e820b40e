"""How many everyday posts can a linear first stage clear at a given recall? (the cascade's limit)

    .venv/bin/python bench/cascade_first_stage.py [--config training/configs/linear.yaml] [--folds 5]

The scan cascade is only as fast as its first stage is sharp: every everyday post the linear model
cannot clear costs a transformer call. This measures that limit without touching the validation or
test split: 5-fold cross-validation on the written posts of the train split (augmented variants left
out, so no fold sees a variant of a post it is scored on), each fold fitted by the shipped
`fit_linear` with the config's settings. On the out-of-fold scores it reports, for several recalls of
the partisan posts, the share of everyday posts (neutral, no election) and of election posts the
cut-off lets through, and the share of a feed with 10% election posts that reaches the transformer.
Gold labels stand in for the transformer's flags, as a perfect transformer's would. Scores compared:
the cascade's screen score, log P(election) + log P(partisan), and log P(partisan) alone; `--c-screen`
adds screens of other strengths; `--train-fractions` repeats the screen's measure on random subsets of
the train split (a learning curve: would more labeled posts sharpen the first stage?)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RECALLS = (0.995, 0.99, 0.98, 0.97, 0.95)
POLITICAL_SHARE = 0.10


def out_of_fold_scores(config, rows: list[dict], folds: int, c_screens: list[float]) -> dict[str, np.ndarray]:
    from sklearn.model_selection import StratifiedKFold

    from netra.model.calibration import log_sigmoid
    from netra.model.normalize import Normalizer
    from netra.training.linear_trainer import fit_linear

    normalizer = Normalizer()
    tokens = [normalizer.tokens(r["text"]) for r in rows]
    strata = [f"{r['label']}:{r.get('contest') == 'none'}" for r in rows]
    scores: dict[str, np.ndarray] = {}
    for fold, (fit_at, score_at) in enumerate(
        StratifiedKFold(folds, shuffle=True, random_state=config.seed).split(rows, strata)
    ):
        for c_screen in c_screens:
            model = fit_linear(
                dataclasses.replace(config, c_screen=c_screen), [rows[i] for i in fit_at], normalizer
            )
            partisan, _, x = model.logits([tokens[i] for i in score_at])
            topic = model.screen_logits(x)
            name = f"screen (c_screen={c_screen:g})"
            scores.setdefault(name, np.zeros(len(rows)))[score_at] = log_sigmoid(partisan) + log_sigmoid(
                topic
            )
            scores.setdefault("partisan only", np.zeros(len(rows)))[score_at] = log_sigmoid(partisan)
        print(f"fold {fold + 1}/{folds} done", file=sys.stderr)
    return scores


def pass_shares(score: np.ndarray, partisan: np.ndarray, everyday: np.ndarray) -> dict[str, dict]:
    political = ~everyday
    out = {}
    for recall in RECALLS:
        cutoff = np.quantile(score[partisan], 1.0 - recall)
        everyday_pass = float((score[everyday] >= cutoff).mean())
        political_pass = float((score[political] >= cutoff).mean())
        out[str(recall)] = {
            "everyday_passed": round(everyday_pass, 3),
            "election_passed": round(political_pass, 3),
            "feed_passed": round(POLITICAL_SHARE * political_pass + (1 - POLITICAL_SHARE) * everyday_pass, 3),
        }
    return out


def main() -> None:
    from netra.training.config import load_config
    from netra.training.dataset import training_data_for

    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default=str(ROOT / "training/configs/linear.yaml"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c-screen", type=float, action="append", help="screens to compare (repeatable)")
    parser.add_argument(
        "--train-fractions", default="", help="comma-separated, e.g. 0.4,0.6,0.8: a learning curve"
    )
    parser.add_argument("--out", default=str(ROOT / "bench/out/cascade_first_stage.json"))
    args = parser.parse_args()
    config = load_config(args.config)
    rows = [
        r for r in training_data_for(config).train if not str(r.get("origin", "")).startswith("augmented")
    ]
    partisan = np.array([r["label"] == "partisan" for r in rows])
    everyday = np.array([r["label"] != "partisan" and r.get("contest") == "none" for r in rows])
    scores = out_of_fold_scores(config, rows, args.folds, args.c_screen or [config.c_screen])
    result = {
        "posts": len(rows),
        "partisan": int(partisan.sum()),
        "everyday": int(everyday.sum()),
        "folds": args.folds,
        "political_share_of_feed": POLITICAL_SHARE,
        "by_score": {name: pass_shares(s, partisan, everyday) for name, s in scores.items()},
    }
    curve = []
    for fraction in [float(f) for f in args.train_fractions.split(",") if f]:
        rng = np.random.default_rng(config.seed)
        keep = rng.random(len(rows)) < fraction
        subset = [r for r, k in zip(rows, keep, strict=True) if k]
        name = f"screen (c_screen={config.c_screen:g})"
        score = out_of_fold_scores(config, subset, args.folds, [config.c_screen])[name]
        curve.append(
            {"fraction": fraction, "posts": len(subset)} | pass_shares(score, partisan[keep], everyday[keep])
        )
    if curve:
        result["learning_curve"] = curve
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
