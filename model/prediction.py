"""What the classifier returns for one post."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Evidence:
    """A span of the ORIGINAL text that drove the score; `weight` is its share of the push to partisan."""

    start: int
    end: int
    text: str
    weight: float


@dataclass(frozen=True)
class Prediction:
    score: float  # calibrated probability that the post is partisan
    flagged: bool  # score >= the model's threshold
    categories: dict[str, float]  # all eight category slugs -> probability
    evidence: list[Evidence] = field(default_factory=list)  # most important first, at most 5
    model_version: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
