"""`Classifier`: the one model class behind every front door (API, batch scanner, CLI)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from netra.data.schema import CATEGORIES
from netra.model.calibration import apply_calibration, sigmoid
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

        A plain (not yet fine-tuned) BERT checkpoint has no `netra` key: it loads with default metadata
        only when `allow_untrained=True`, as the starting point of fine-tuning."""
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

            backend = TransformerModel.load(path_or_hub_id, max_length=int(meta.get("max_length", 256)))
            if kwargs.get("token_budget"):
                backend.token_budget = int(kwargs["token_budget"])
        else:
            raise ModelFolderError(
                f"{path_or_hub_id}: unknown model kind {kind!r} (expected linear or transformer)"
            )
        return cls(backend, kind, meta)

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
        normalized = [self.normalizer.normalize(t) for t in _check_texts(texts)]
        return self._logits(normalized, batch_size)

    def _logits(self, normalized: list[NormalizedText], batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        if self.kind == "linear":
            partisan, categories, _ = self.backend.logits(normalized)
            return partisan, categories
        return self.backend.logits(normalized, batch_size=batch_size)

    def predict(
        self,
        texts: Sequence[str],
        batch_size: int = 256,
        evidence: EvidenceMode = "flagged",
    ) -> list[Prediction]:
        """Score posts: one `Prediction` per text, in the same order.

        `evidence`: "flagged" (default) explains flagged posts only, "all" every post, "none"/False none.
        An empty or whitespace-only text gets score 0.0, not flagged, and no evidence."""
        texts = _check_texts(texts)
        if not texts:
            return []
        mode = (
            {True: "all", False: "none"}.get(evidence, evidence) if isinstance(evidence, bool) else evidence
        )
        if mode not in ("flagged", "all", "none"):
            raise ValueError(f"evidence must be 'flagged', 'all', 'none' or a bool, got {evidence!r}")
        live = [i for i, t in enumerate(texts) if t.strip()]
        normalized = [self.normalizer.normalize(texts[i]) for i in live]
        scores = np.zeros(len(texts))
        categories = np.zeros((len(texts), len(CATEGORIES)))
        if live:
            partisan_logits, category_logits = self._logits(normalized, batch_size)
            calibration = self.meta.get("calibration", {"method": "none"})
            scores[live] = apply_calibration(partisan_logits, calibration)
            categories[live] = scores[live, None] * sigmoid(category_logits)
        threshold = self.threshold
        flagged = scores >= threshold
        explained: dict[int, list[Evidence]] = {}
        if mode != "none" and live:
            wanted = [k for k, i in enumerate(live) if mode == "all" or flagged[i]]
            if wanted:
                contributions = self._contributions([normalized[k] for k in wanted])
                for k, contrib in zip(wanted, contributions, strict=True):
                    explained[live[k]] = _spans(texts[live[k]], normalized[k], contrib)
        version = self.version
        return [
            Prediction(
                score=round(float(scores[i]), 6),
                flagged=bool(flagged[i]) and bool(texts[i].strip()),
                categories={c: round(float(categories[i, j]), 6) for j, c in enumerate(CATEGORIES)},
                evidence=explained.get(i, []),
                model_version=version,
            )
            for i in range(len(texts))
        ]

    def _contributions(self, normalized: list[NormalizedText]) -> list[np.ndarray]:
        if self.kind == "linear":
            _, _, x = self.backend.logits(normalized)
            return [self.backend.token_contributions(n, x[i]) for i, n in enumerate(normalized)]
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
