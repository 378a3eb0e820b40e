"""GET /v1/stats: queue counts, analyst agreement, model-vs-analyst agreement."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Depends
from sqlalchemy import func, select

from netra.data.schema import CATEGORIES
from netra.serving.auth import Principal, require
from netra.serving.deps import app_state
from netra.serving.tables import Decision, ReviewItem

router = APIRouter(tags=["stats"])


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[k] * second[k] for k in set(first) | set(second)) / (n * n)
    if expected == 1:
        return 1.0
    return (observed - expected) / (1 - expected)


@router.get("/v1/stats")
def stats(state=Depends(app_state), _: Principal = Depends(require("analyst"))) -> dict:
    with state.sessions() as session:

        def grouped(column) -> dict:
            rows = session.execute(select(column, func.count()).group_by(column)).all()
            return {str(k) if k is not None else "unknown": v for k, v in rows}

        by_category = {}
        for slug in CATEGORIES:
            by_category[slug] = session.scalar(
                select(func.count()).where(ReviewItem.category_index.contains(f",{slug},"))
            )
        decisions = session.execute(
            select(Decision.review_id, Decision.analyst, Decision.label, Decision.role)
            .where(Decision.superseded_by.is_(None))
            .order_by(Decision.id)
        ).all()
        first_two: dict[str, list[str]] = {}
        for review_id, _analyst, label, role in decisions:
            if role != "analyst":
                continue
            votes = first_two.setdefault(review_id, [])
            if len(votes) < 2:
                votes.append(label)
        pairs = [(v[0], v[1]) for v in first_two.values() if len(v) == 2]
        settled = (
            session.execute(select(ReviewItem.label).where(ReviewItem.status == "decided")).scalars().all()
        )
        return {
            "by_status": {
                s: grouped(ReviewItem.status).get(s, 0) for s in ("pending", "decided", "conflict")
            },
            "by_category": by_category,
            "by_platform": grouped(ReviewItem.platform),
            "by_region": grouped(ReviewItem.region),
            "analyst_agreement": {"posts_with_two_decisions": len(pairs), "cohen_kappa": cohen_kappa(pairs)},
            # Every queued post was flagged by the model: agreement = share of settled posts labeled partisan.
            "model_agreement": {
                "settled_posts": len(settled),
                "confirmed_partisan": sum(1 for label in settled if label == "partisan"),
                "rate": (sum(1 for label in settled if label == "partisan") / len(settled))
                if settled
                else None,
            },
        }
