"""Request and response bodies (`XxxCreate` in, `XxxPublic` out)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from netra.data.schema import CATEGORIES


class PostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, min_length=1, max_length=200)
    text: str
    author: str | None = Field(None, max_length=300)
    platform: str | None = Field(None, max_length=50)
    url: str | None = Field(None, max_length=2000)
    posted_at: datetime | None = None
    region: str | None = Field(None, max_length=200)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty or only whitespace")
        return value

    @field_validator("posted_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value


class ScoreCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    posts: list[PostCreate] = Field(..., min_length=1)
    store: bool = True


class EvidencePublic(BaseModel):
    start: int
    end: int
    text: str
    weight: float


class ScoreResultPublic(BaseModel):
    id: str
    score: float
    flagged: bool
    categories: dict[str, float]
    evidence: list[EvidencePublic]


class ScorePublic(BaseModel):
    model_version: str
    results: list[ScoreResultPublic]


class DecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Literal["partisan", "neutral"]
    categories: list[str] = Field(default_factory=list, max_length=8)
    # For a neutral decision: what kind of look-alike it is (netralitas, info_pemilu, berita, ...).
    lookalike: str | None = None
    note: str | None = Field(None, max_length=5000)

    @field_validator("lookalike")
    @classmethod
    def _known_lookalike(cls, value: str | None) -> str | None:
        from netra.data.schema import LOOKALIKES

        if value is not None and value not in LOOKALIKES:
            raise ValueError(f"unknown lookalike {value!r}; expected one of {list(LOOKALIKES)}")
        return value

    @field_validator("categories")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown categories {unknown}; expected some of {list(CATEGORIES)}")
        return list(dict.fromkeys(value))


class DecisionPublic(BaseModel):
    id: int
    analyst: str
    role: str
    label: str
    categories: list[str]
    lookalike: str | None = None
    note: str | None
    created_at: datetime
    superseded_by: int | None


class SuggestionPublic(BaseModel):
    model_version: str
    score: float
    threshold: float
    categories: dict[str, float]
    evidence: list[EvidencePublic]


class ReviewPublic(BaseModel):
    id: str
    text: str
    author: str | None
    platform: str | None
    url: str | None
    posted_at: datetime | None
    region: str | None
    status: str
    suggestion: SuggestionPublic
    label: str | None
    label_categories: list[str] | None
    label_lookalike: str | None = None
    decided_at: datetime | None
    decided_by: str | None
    created_at: datetime
    decisions: list[DecisionPublic] | None = None


class ReviewsPublic(BaseModel):
    items: list[ReviewPublic]
    next_cursor: str | None


class ModelPublic(BaseModel):
    version: str
    kind: str
    labels: list[str]
    categories: list[str]
    threshold: float
    metrics: dict


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["analyst", "supervisor", "admin"]
    name: str = Field(..., min_length=1, max_length=200)


class KeyPublic(BaseModel):
    id: int
    name: str
    role: str
    prefix: str
    key: str | None = None  # only in the response that creates it
