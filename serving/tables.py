"""Database tables (SQLAlchemy 2.x). The schema is created and upgraded by Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ReviewItem(Base):
    """A flagged post in the review queue, with the model's suggestion."""

    __tablename__ = "review_items"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # the post id
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(300))
    platform: Mapped[str | None] = mapped_column(String(50), index=True)
    url: Mapped[str | None] = mapped_column(Text)
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    region: Mapped[str | None] = mapped_column(String(200), index=True)
    # suggestion: the model's opinion
    model_version: Mapped[str] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    uncertainty: Mapped[float] = mapped_column(Float)  # |score - threshold|
    categories: Mapped[dict[str, float]] = mapped_column(JSON)
    category_index: Mapped[str] = mapped_column(Text, default="")  # ",slug,slug," suggested categories
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # review state
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    label: Mapped[str | None] = mapped_column(String(20))  # settled label
    label_categories: Mapped[list[str] | None] = mapped_column(JSON)
    label_lookalike: Mapped[str | None] = mapped_column(String(30))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_review_priority", "status", "score", "created_at"),
        Index("ix_review_uncertainty", "status", "uncertainty", "created_at"),
    )


class Decision(Base):
    """An analyst's decision on a review item. Never updated: a new decision supersedes an old one."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[str] = mapped_column(ForeignKey("review_items.id"), index=True)
    analyst: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(20))
    categories: Mapped[list[str]] = mapped_column(JSON)
    lookalike: Mapped[str | None] = mapped_column(String(30))  # for neutral decisions: which look-alike
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    superseded_by: Mapped[int | None] = mapped_column(Integer)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(20))  # the first characters, to recognise a key in lists
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Append-only: every decision, export, key, settings or model change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    target: Mapped[str | None] = mapped_column(String(300))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
