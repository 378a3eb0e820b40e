"""The review queue: list, read, decide."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from netra.data.schema import CATEGORIES
from netra.serving.auth import Principal, require
from netra.serving.deps import app_state
from netra.serving.queue import CursorError, decide, list_reviews
from netra.serving.schemas import DecisionCreate, DecisionPublic, ReviewPublic, ReviewsPublic
from netra.serving.tables import Decision, ReviewItem

router = APIRouter(tags=["reviews"])


def review_public(item: ReviewItem, decisions: list[Decision] | None = None) -> dict:
    return {
        "id": item.id,
        "text": item.text,
        "author": item.author,
        "platform": item.platform,
        "url": item.url,
        "posted_at": item.posted_at,
        "region": item.region,
        "status": item.status,
        "suggestion": {
            "model_version": item.model_version,
            "score": item.score,
            "threshold": item.threshold,
            "categories": item.categories,
            "evidence": item.evidence,
        },
        "label": item.label,
        "label_categories": item.label_categories,
        "label_lookalike": item.label_lookalike,
        "decided_at": item.decided_at,
        "decided_by": item.decided_by,
        "created_at": item.created_at,
        "decisions": None if decisions is None else [decision_public(d) for d in decisions],
    }


def decision_public(d: Decision) -> dict:
    return {
        "id": d.id,
        "analyst": d.analyst,
        "role": d.role,
        "label": d.label,
        "categories": d.categories,
        "lookalike": d.lookalike,
        "note": d.note,
        "created_at": d.created_at,
        "superseded_by": d.superseded_by,
    }


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


@router.get("/v1/reviews", response_model=ReviewsPublic)
def reviews(
    status: Literal["pending", "decided", "conflict"] | None = None,
    category: str | None = None,
    min_score: float | None = Query(None, ge=0, le=1),
    platform: str | None = None,
    region: str | None = None,
    date_from: datetime | None = Query(None, alias="from"),
    date_to: datetime | None = Query(None, alias="to"),
    order: Literal["priority", "uncertainty"] = "priority",
    cursor: str | None = None,
    limit: int | None = Query(None, ge=1, le=500),
    state=Depends(app_state),
    _: Principal = Depends(require("analyst")),
) -> dict:
    if category is not None and category not in CATEGORIES:
        raise HTTPException(422, f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}")
    with state.sessions() as session:
        try:
            items, next_cursor = list_reviews(
                session,
                status=status,
                category=category,
                min_score=min_score,
                platform=platform,
                region=region,
                date_from=_utc(date_from),
                date_to=_utc(date_to),
                order=order,
                cursor=cursor,
                limit=limit or state.settings.page_size,
            )
        except CursorError as exc:
            raise HTTPException(422, str(exc)) from exc
        return {"items": [review_public(i) for i in items], "next_cursor": next_cursor}


def _get(session, review_id: str) -> ReviewItem:
    item = session.get(ReviewItem, review_id)
    if item is None:
        raise HTTPException(404, f"no review item with id {review_id!r}")
    return item


@router.get("/v1/reviews/{review_id}", response_model=ReviewPublic)
def review(review_id: str, state=Depends(app_state), _: Principal = Depends(require("analyst"))) -> dict:
    from sqlalchemy import select

    with state.sessions() as session:
        item = _get(session, review_id)
        history = list(
            session.scalars(select(Decision).where(Decision.review_id == item.id).order_by(Decision.id))
        )
        return review_public(item, history)


@router.post("/v1/reviews/{review_id}/decisions", response_model=DecisionPublic, status_code=201)
def create_decision(
    review_id: str,
    body: DecisionCreate,
    state=Depends(app_state),
    caller: Principal = Depends(require("analyst")),
) -> dict:
    if body.label == "partisan" and not body.categories:
        raise HTTPException(422, "a partisan decision needs at least one category")
    if body.label == "neutral" and body.categories:
        raise HTTPException(422, "a neutral decision takes no categories")
    with state.sessions() as session:
        item = _get(session, review_id)
        decision = decide(session, item, caller, body.label, body.categories, body.note, body.lookalike)
        return decision_public(decision)
