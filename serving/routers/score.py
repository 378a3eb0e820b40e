"""POST /v1/score: score posts; flagged ones (with store=true) enter the review queue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException

from netra.serving.auth import Principal, require
from netra.serving.deps import app_state
from netra.serving.queue import enqueue, post_id
from netra.serving.schemas import ScoreCreate, ScorePublic

router = APIRouter(tags=["score"])


@router.post("/v1/score", response_model=ScorePublic)
def score(
    body: ScoreCreate, state=Depends(app_state), caller: Principal = Depends(require("analyst"))
) -> dict:
    settings = state.settings
    if len(body.posts) > settings.max_posts_per_request:
        excess = len(body.posts) - settings.max_posts_per_request
        raise HTTPException(
            413,
            f"{len(body.posts)} posts exceed the limit of {settings.max_posts_per_request} posts per request "
            f"by {excess}; split them over several requests",
        )
    too_long = [
        f"posts.{i}.text has {len(p.text)} characters, {len(p.text) - settings.max_text_chars} over the limit of "
        f"{settings.max_text_chars}"
        for i, p in enumerate(body.posts)
        if len(p.text) > settings.max_text_chars
    ]
    if too_long:
        raise HTTPException(422, "; ".join(too_long))
    ids = [p.id or post_id(p.text) for p in body.posts]
    texts = [p.text for p in body.posts]
    if state.batcher is not None:
        classifier, predictions = state.batcher.predict(texts)
    else:
        classifier = state.model  # this request keeps this model even if a new one is promoted meanwhile
        predictions = classifier.predict(texts, evidence=settings.evidence)
    if body.store:
        with state.sessions() as session:  # one transaction: all or nothing
            enqueue(session, body.posts, ids, predictions, classifier.threshold)
    state.metrics.scored.inc(len(predictions))
    state.metrics.flagged.inc(sum(p.flagged for p in predictions))
    return {
        "model_version": classifier.version,
        "results": [
            {
                "id": i,
                "score": p.score,
                "flagged": p.flagged,
                "categories": p.categories,
                "evidence": [e.__dict__ for e in p.evidence],
            }
            for i, p in zip(ids, predictions, strict=True)
        ],
    }
