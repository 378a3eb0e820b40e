"""The review queue: suggestions in, decisions, conflicts, settlement, export.

Vocabulary (as Argilla): a *suggestion* is the model's opinion of a post; a *decision* is an analyst's.
Rules:
- A flagged post enters once (its id is the key); submitting it again changes nothing.
- An analyst deciding again supersedes their own earlier decision (never overwritten).
- Current analyst decisions that agree on the label: `decided`; that disagree: `conflict`.
- A supervisor's (or admin's) decision settles the post, whatever the analysts said.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from netra.data.schema import CATEGORIES
from netra.model.prediction import Prediction
from netra.serving.auth import Principal
from netra.serving.db import audit, now
from netra.serving.tables import Decision, ReviewItem

STATUSES = ("pending", "decided", "conflict")


class CursorError(ValueError):
    pass


def post_id(text: str) -> str:
    """A stable id for a post submitted without one: a hash of its text."""
    return "h-" + hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:20]


def suggested_categories(prediction: Prediction) -> list[str]:
    """Categories the model suggests: those with P(category | partisan) >= 0.5, else the most likely one."""
    if prediction.score <= 0:
        return []
    chosen = [c for c in CATEGORIES if prediction.categories[c] >= 0.5 * prediction.score]
    return chosen or [max(CATEGORIES, key=prediction.categories.__getitem__)]


def enqueue(
    session: Session,
    posts: Sequence[Any],
    ids: Sequence[str],
    predictions: Sequence[Prediction],
    threshold: float,
) -> int:
    """Add flagged posts that are not in the queue yet. Returns how many were added."""
    flagged = [(p, i, r) for p, i, r in zip(posts, ids, predictions, strict=True) if r.flagged]
    if not flagged:
        return 0
    existing = set(
        session.scalars(select(ReviewItem.id).where(ReviewItem.id.in_([i for _, i, _ in flagged]))).all()
    )
    added = 0
    stamp = now()
    for post, item_id, result in flagged:
        if item_id in existing:
            continue
        existing.add(item_id)
        session.add(
            ReviewItem(
                id=item_id,
                text=post.text,
                author=post.author,
                platform=post.platform,
                url=post.url,
                posted_at=post.posted_at,
                region=post.region,
                model_version=result.model_version,
                score=result.score,
                threshold=threshold,
                uncertainty=abs(result.score - threshold),
                categories=result.categories,
                category_index="," + ",".join(suggested_categories(result)) + ",",
                evidence=[e.__dict__ for e in result.evidence],
                status="pending",
                created_at=stamp,
                updated_at=stamp,
            )
        )
        added += 1
    return added


def current_decisions(session: Session, review_id: str) -> list[Decision]:
    return list(
        session.scalars(
            select(Decision)
            .where(Decision.review_id == review_id, Decision.superseded_by.is_(None))
            .order_by(Decision.id)
        ).all()
    )


def decide(
    session: Session,
    item: ReviewItem,
    caller: Principal,
    label: str,
    categories: list[str],
    note: str | None,
    lookalike: str | None = None,
) -> Decision:
    if label == "neutral":
        categories = []
    else:
        lookalike = None
    before = {"status": item.status, "label": item.label, "label_categories": item.label_categories}
    decision = Decision(
        review_id=item.id,
        analyst=caller.name,
        role=caller.role,
        label=label,
        categories=categories,
        lookalike=lookalike,
        note=note,
        created_at=now(),
    )
    session.add(decision)
    session.flush()
    for old in current_decisions(session, item.id):
        if old.analyst == caller.name and old.id != decision.id:
            old.superseded_by = decision.id  # superseded, never overwritten
    session.flush()
    _settle(session, item)
    audit(
        session,
        caller.name,
        "decision.create",
        f"review:{item.id}",
        before,
        {
            "decision": decision.id,
            "label": label,
            "categories": categories,
            "status": item.status,
            "note": note,
        },
    )
    return decision


def _settle(session: Session, item: ReviewItem) -> None:
    decisions = current_decisions(session, item.id)
    settling = [d for d in decisions if d.role in ("supervisor", "admin")]
    final: Decision | None = None
    if settling:
        status, final = "decided", settling[-1]
    elif not decisions:
        status = "pending"
    elif len({d.label for d in decisions}) > 1:
        status = "conflict"
    else:
        status, final = "decided", decisions[-1]
    item.status = status
    item.label = final.label if final else None
    item.label_categories = final.categories if final else None
    item.label_lookalike = final.lookalike if final else None
    item.decided_at = final.created_at if final else None
    item.decided_by = final.analyst if final else None
    item.updated_at = now()


# -- listing ------------------------------------------------------------------------------------------
def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if not isinstance(values, list) or len(values) != 3:
            raise ValueError
        return values
    except (ValueError, UnicodeDecodeError) as exc:
        raise CursorError(
            "invalid cursor: pass the next_cursor value of the previous page unchanged"
        ) from exc


def list_reviews(
    session: Session,
    *,
    status: str | None = None,
    category: str | None = None,
    min_score: float | None = None,
    platform: str | None = None,
    region: str | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    order: str = "priority",
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[ReviewItem], str | None]:
    """Priority: highest score first, then oldest. Uncertainty: closest to the threshold first."""
    query = select(ReviewItem)
    if status:
        query = query.where(ReviewItem.status == status)
    if category:
        query = query.where(ReviewItem.category_index.contains(f",{category},"))
    if min_score is not None:
        query = query.where(ReviewItem.score >= min_score)
    if platform:
        query = query.where(ReviewItem.platform == platform)
    if region:
        query = query.where(ReviewItem.region == region)
    when = func.coalesce(ReviewItem.posted_at, ReviewItem.created_at)
    if date_from:
        query = query.where(when >= date_from)
    if date_to:
        query = query.where(when <= date_to)
    if order == "uncertainty":
        key, descending = ReviewItem.uncertainty, False
    else:
        key, descending = ReviewItem.score, True
    if cursor:
        value, created, last_id = decode_cursor(cursor)
        created_at = datetime.fromisoformat(created)
        beyond = key < value if descending else key > value
        query = query.where(
            or_(
                beyond,
                and_(key == value, ReviewItem.created_at > created_at),
                and_(key == value, ReviewItem.created_at == created_at, ReviewItem.id > last_id),
            )
        )
    query = query.order_by(
        key.desc() if descending else key.asc(), ReviewItem.created_at.asc(), ReviewItem.id.asc()
    )
    rows = list(session.scalars(query.limit(limit + 1)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        value = last.uncertainty if order == "uncertainty" else last.score
        next_cursor = encode_cursor([value, last.created_at.isoformat(), last.id])
    return rows, next_cursor


def settled(session: Session, since: datetime | None = None) -> list[ReviewItem]:
    query = select(ReviewItem).where(ReviewItem.status == "decided")
    if since is not None:
        query = query.where(ReviewItem.decided_at >= since)
    return list(session.scalars(query.order_by(ReviewItem.decided_at, ReviewItem.id)).all())
