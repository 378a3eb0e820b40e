"""A two-stage cascade for scans: the fast linear model clears posts it is sure about, the transformer
scores the rest.

The linear stage ranks posts by its screen score, log P(about an election) + log P(partisan) (see
`Classifier.predict_with_screen`): an everyday post that happens to say "nomor 2" is unlikely to be
about an election at all, and a news report is unlikely to be partisan, so the product clears far more
posts than the partisan score alone at the same recall. The cut-off is chosen on the validation split so
that the linear stage passes on at least `target_recall` (default 0.99) of the posts the transformer
alone flags; `margin` (< 1 lowers the cut-off's probability by that factor) trades speed for safety
where the validation split has few flags. It is cached per linear version, recall and margin in the
transformer's folder (`cascade.json`). Posts cleared by the linear stage keep the linear score, are not
flagged, and are marked `stage: "linear"`; the others carry the transformer's result."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

CASCADE_FILE = "cascade.json"


def choose_cutoff(
    linear_scores: np.ndarray,
    transformer_flags: np.ndarray,
    target_recall: float,
    margin: float = 1.0,
) -> float:
    """The highest cut-off on these posts' screen scores (log-probabilities) that keeps >= target_recall
    of the transformer's flags on posts not seen here; `margin` scales the cut-off's probability (adds
    log(margin)).

    Split-conformal rank: a new flagged post scores below the (k+1)-th lowest of n flagged scores with
    probability (k+1)/(n+1), so k is the largest with (k+1)/(n+1) <= 1 - target_recall. Taking the
    (1 - target_recall) quantile of these posts instead would keep the target here but miss it, on
    average, on new posts. With too few flags to promise the target (n + 1 < 1 / (1 - target_recall)),
    every post goes to the transformer."""
    kept = np.sort(np.asarray(linear_scores)[np.asarray(transformer_flags, dtype=bool)])
    allowed_misses = math.floor((1.0 - target_recall) * (len(kept) + 1) + 1e-9) - 1
    if allowed_misses < 0:
        return -math.inf
    return float(kept[allowed_misses]) + math.log(margin)


class Cascade:
    def __init__(
        self,
        linear,
        transformer,
        cutoff: float | None = None,
        target_recall: float = 0.99,
        margin: float = 1.0,
    ) -> None:
        if linear.kind != "linear":
            raise ValueError(f"the cascade's first stage must be a linear model, got {linear.kind}")
        self.linear = linear
        self.transformer = transformer
        if not 0.0 < target_recall <= 1.0 or not 0.0 < margin <= 1.0:
            raise ValueError("target_recall and margin must be in (0, 1]")
        self.target_recall = target_recall
        self.margin = margin
        self.cutoff = cutoff if cutoff is not None else self._cached_or_calibrated()

    def _cached_or_calibrated(self) -> float:
        folder = getattr(self.transformer, "folder", None)
        cache_path = folder / CASCADE_FILE if folder is not None else None
        cache = json.loads(cache_path.read_text()) if cache_path is not None and cache_path.exists() else {}
        key = f"screen:{self.linear.version}@{self.target_recall}" + (
            f"x{self.margin}" if self.margin != 1.0 else ""
        )
        if key in cache:
            return float(cache[key]["cutoff"])
        from netra.data.corpus import load_records

        rows = [r for r in load_records() if r["split"] == "validation" and r["origin"] == "written"]
        cutoff, info = self.calibrate([r["text"] for r in rows])
        if cache_path is not None:
            cache[key] = info
            cache_path.write_text(json.dumps(cache, indent=2), encoding="utf-8")
        return cutoff

    def calibrate(self, texts: list[str]) -> tuple[float, dict[str, Any]]:
        flags = np.array([p.flagged for p in self.transformer.predict(texts, evidence="none")])
        scores = self.linear.predict_with_screen(texts)[1]
        cutoff = choose_cutoff(scores, flags, self.target_recall, self.margin)
        info = {
            "cutoff": cutoff,
            "score": "log P(election) + log P(partisan)",
            "target_recall": self.target_recall,
            "margin": self.margin,
            "validation_posts": len(texts),
            "transformer_flags": int(flags.sum()),
            "passed_to_transformer": int((scores >= cutoff).sum()),
        }
        return cutoff, info

    def score(self, texts: list[str], threshold: float | None, evidence: bool) -> list[tuple]:
        first, screen = self.linear.predict_with_screen(texts)
        passed = [i for i, s in enumerate(screen.tolist()) if s >= self.cutoff]
        out: list[tuple] = [(p.score, False, p.categories, [], "linear") for p in first]
        if passed:
            second = self.transformer.predict(
                [texts[i] for i in passed], evidence="flagged" if evidence else "none", threshold=threshold
            )
            for i, p in zip(passed, second, strict=True):
                out[i] = (p.score, p.flagged, p.categories, [e.__dict__ for e in p.evidence], "transformer")
        return out
