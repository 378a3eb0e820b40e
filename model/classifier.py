"""`Classifier`: the one model class behind every front door (API, batch scanner, CLI)."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netra.data.schema import CATEGORIES
from netra.model.calibration import apply_calibration, log_sigmoid, sigmoid
from netra.model.normalize import NormalizedText, Normalizer
from netra.model.prediction import Evidence, Prediction

NETRA_KEY = "netra"
MAX_EVIDENCE = 5
EvidenceMode = Literal["flagged", "all", "none"] | bool


class ModelFolderError(ValueError):
    """A folder or hub id that is not a usable Netra model; the message says what is missing."""


class Classifier:
    """Scores posts: the calibrated probability of partisanship, per-category probabilities and evidence.

    >>> clf = Classifier.from_pretrained("models/default")
    >>> clf.predict(["Ayo coblos nomor 2, demi lanjutnya program desa!"])[0].score
    """

    def __init__(self, backend: Any, kind: str, meta: dict[str, Any], normalizer: Normalizer | None = None):
        self.backend = backend
        self.kind = kind
        self.meta = meta
        self.normalizer = normalizer or Normalizer.from_config(meta.get("normalizer", {}))
        self.folder: Path | None = None  # where it was loaded from, if a local folder

    # -- metadata -------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unversioned"))

    @property
    def threshold(self) -> float:
        return float(self.meta.get("threshold", 0.5))

    @property
    def labels(self) -> list[str]:
        return list(self.meta.get("categories", CATEGORIES))

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self.meta.get("metrics", {}))

    # -- loading and saving ---------------------------------------------------------------------
    @classmethod
    def from_pretrained(cls, path_or_hub_id: str | Path, **kwargs: Any) -> Classifier:
        """Load a Netra model folder (linear or transformer), or a transformer from a hub id.

        `runtime=` (transformer only; default `NETRA_RUNTIME` or "auto"): "auto", "torch", "onnx", "onnx-int8".
        A plain BERT checkpoint without a `netra` key is refused: fine-tune it with `netra train` first.
        """
        folder = Path(path_or_hub_id)
        if folder.is_dir():
            config_path = folder / "config.json"
            if not config_path.exists():
                raise ModelFolderError(f"{folder}: no config.json, not a model folder")
            config = json.loads(config_path.read_text(encoding="utf-8"))
        elif folder.exists():
            raise ModelFolderError(f"{folder}: is a file, expected a model folder")
        else:  # a hub id: the transformer path
            from transformers import AutoConfig

            try:
                config = AutoConfig.from_pretrained(str(path_or_hub_id)).to_dict()
            except OSError as exc:
                raise ModelFolderError(
                    f"{path_or_hub_id}: neither a local folder nor a reachable hub model ({exc})"
                ) from exc
        meta = config.get(NETRA_KEY)
        if meta is None:
            raise ModelFolderError(
                f"{path_or_hub_id}: config.json has no '{NETRA_KEY}' key; this is not a trained Netra model "
                "(fine-tune it first with `netra train`)"
            )
        kind = meta.get("kind")
        if kind == "linear":
            from netra.model.linear import LinearModel

            backend: Any = LinearModel.load(folder)
        elif kind == "transformer":
            from netra.model.transformer import TransformerModel

            runtime = kwargs.get("runtime") or os.environ.get("NETRA_RUNTIME", "auto")
            backend = TransformerModel.load(
                path_or_hub_id,
                max_length=int(meta.get("max_length", 256)),
                runtime=runtime,
                onnx=meta.get("onnx"),
            )
            if kwargs.get("token_budget"):
                backend.token_budget = int(kwargs["token_budget"])
        else:
            raise ModelFolderError(
                f"{path_or_hub_id}: unknown model kind {kind!r} (expected linear or transformer)"
            )
        classifier = cls(backend, kind, meta)
        classifier.folder = folder if folder.is_dir() else None
        return classifier

    def save_pretrained(self, path: str | Path) -> Path:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        self.backend.save(folder)
        config_path = folder / "config.json"
        config = json.loads(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
        meta = dict(self.meta)
        meta["kind"] = self.kind
        meta["normalizer"] = self.normalizer.to_config()
        config[NETRA_KEY] = meta
        config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        from netra.model.card import write_model_card

        write_model_card(folder, meta)
        return folder

    # -- scoring --------------------------------------------------------------------------------
    def raw_logits(self, texts: Sequence[str], batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated partisan logits and category logits, for training-time calibration."""
        partisan, categories, _ = self._logits(
            [self.normalizer.tokens(t) for t in _check_texts(texts)], batch_size
        )
        return partisan, categories

    def _logits(self, tokens: list[list[str]], batch_size: int) -> tuple[np.ndarray, np.ndarray, Any]:
        """Partisan logits, category logits, and what evidence can reuse (the linear feature rows)."""
        if self.kind == "linear":
            return self.backend.logits(tokens)
        partisan, categories = self.backend.logits([" ".join(t) for t in tokens], batch_size=batch_size)
        return partisan, categories, None

    def predict(
        self,
        texts: Sequence[str],
        batch_size: int = 256,
        evidence: EvidenceMode = "flagged",
        threshold: float | None = None,
    ) -> list[Prediction]:
        """Score posts: one `Prediction` per text, in the same order.

        `evidence`: "flagged" (default) explains flagged posts only, "all" every post, "none"/False none.
        `threshold` overrides the model's operating threshold for `flagged`.
        An empty or whitespace-only text gets score 0.0, not flagged, and no evidence."""
        texts = _check_texts(texts)
        if not texts:
            return []
        mode = (
            {True: "all", False: "none"}.get(evidence, evidence) if isinstance(evidence, bool) else evidence
        )
        if mode not in ("flagged", "all", "none"):
            raise ValueError(f"evidence must be 'flagged', 'all', 'none' or a bool, got {evidence!r}")
        live, scores, categories, features, _ = self._score(texts, batch_size)
        flagged = scores >= (self.threshold if threshold is None else threshold)
        explained: dict[int, list[Evidence]] = {}
        if mode != "none" and live:
            wanted = [k for k, i in enumerate(live) if mode == "all" or flagged[i]]
            if wanted:
                normalized = [self.normalizer.normalize(texts[live[k]]) for k in wanted]
                rows = features[wanted] if features is not None else None
                contributions = self._contributions(normalized, rows)
                for k, norm, contrib in zip(wanted, normalized, contributions, strict=True):
                    explained[live[k]] = _spans(texts[live[k]], norm, contrib)
        return self._predictions(texts, scores, categories, flagged, explained)

    def _predictions(
        self,
        texts: list[str],
        scores: np.ndarray,
        categories: np.ndarray,
        flagged: np.ndarray,
        explained: dict[int, list[Evidence]],
    ) -> list[Prediction]:
        version = self.version
        score_list = np.round(scores, 6).tolist()
        category_rows = np.round(categories, 6).tolist()
        flag_list = (flagged & np.array([bool(t.strip()) for t in texts])).tolist()
        return [
            Prediction(
                score=score_list[i],
                flagged=flag_list[i],
                categories=dict(zip(CATEGORIES, category_rows[i], strict=True)),
                evidence=explained.get(i, []),
                model_version=version,
            )
            for i in range(len(texts))
        ]

    def predict_with_screen(
        self, texts: Sequence[str], batch_size: int = 256
    ) -> tuple[list[Prediction], np.ndarray]:
        """Predictions without evidence, and each post's cascade screen score (linear models only).

        The screen score is log P(about an election) + log P(partisan), from the linear model's topic
        screen and its raw partisan logit: a post is worth the transformer's time only if it is both.
        A model trained before the screen existed gives log P(partisan) alone. Empty posts get -inf."""
        if self.kind != "linear":
            raise ValueError("the cascade screen is a linear model's: this model is a transformer")
        texts = _check_texts(texts)
        live, scores, categories, features, partisan_logits = self._score(texts, batch_size)
        screen = np.full(len(texts), -np.inf)
        if live:
            topic = self.backend.screen_logits(features)
            screen[live] = log_sigmoid(partisan_logits) + (0.0 if topic is None else log_sigmoid(topic))
        return self._predictions(texts, scores, categories, scores >= self.threshold, {}), screen

    def _score(self, texts: list[str], batch_size: int) -> tuple[list[int], np.ndarray, np.ndarray, Any, Any]:
        """Indices of non-empty posts, calibrated scores, category probabilities, what evidence can reuse
        (linear feature rows) and the raw partisan logits of the non-empty posts."""
        live = [i for i, t in enumerate(texts) if t.strip()]
        scores = np.zeros(len(texts))
        features = partisan_logits = None
        categories = np.zeros((len(texts), len(CATEGORIES)))
        if live:
            tokens = [self.normalizer.tokens(texts[i]) for i in live]
            partisan_logits, category_logits, features = self._logits(tokens, batch_size)
            calibration = self.meta.get("calibration", {"method": "none"})
            scores[live] = apply_calibration(partisan_logits, calibration)
            categories[live] = scores[live, None] * sigmoid(category_logits)
        return live, scores, categories, features, partisan_logits

    def _contributions(self, normalized: list[NormalizedText], rows: Any) -> list[np.ndarray]:
        if self.kind == "linear":
            return [self.backend.token_contributions(n, rows[i]) for i, n in enumerate(normalized)]
        return self.backend.token_contributions(normalized)


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("predict() takes a list of texts, not a single string: use predict([text])")
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"text {i} is {type(t).__name__}, expected str")
    return out


def _spans(original: str, normalized: NormalizedText, contributions: np.ndarray) -> list[Evidence]:
    """Top positive tokens -> merged original-text spans, most important first, at most 5."""
    positive = contributions > 0
    total = float(contributions[positive].sum())
    if total <= 0:
        return []
    top = set(np.argsort(-contributions)[: MAX_EVIDENCE * 2].tolist())
    top = {i for i in top if contributions[i] > 0}
    groups: list[list[int]] = []
    for i in sorted(top):
        if groups and i == groups[-1][-1] + 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    spans: list[Evidence] = []
    for group in groups:
        start = min(normalized.spans[i][0] for i in group)
        end = max(normalized.spans[i][1] for i in group)
        weight = float(contributions[group].sum()) / total
        spans.append(Evidence(start, end, original[start:end], round(weight, 4)))
    # Tokens of one original word (a hashtag) share a span: merge identical spans.
    merged: dict[tuple[int, int], Evidence] = {}
    for s in spans:
        key = (s.start, s.end)
        if key in merged:
            merged[key] = Evidence(s.start, s.end, s.text, round(merged[key].weight + s.weight, 4))
        else:
            merged[key] = s
    return sorted(merged.values(), key=lambda s: -s.weight)[:MAX_EVIDENCE]
