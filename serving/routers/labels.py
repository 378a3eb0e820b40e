"""GET /v1/labels/export: settled decisions as JSONL in the corpus schema, ready for retraining."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from netra.serving.auth import Principal, require
from netra.serving.db import audit
from netra.serving.deps import app_state
from netra.serving.queue import settled

router = APIRouter(tags=["labels"])


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


@router.get(
    "/v1/labels/export", response_class=Response, responses={200: {"content": {"application/x-ndjson": {}}}}
)
def export_labels(
    since: datetime | None = None,
    state=Depends(app_state),
    caller: Principal = Depends(require("supervisor")),
) -> Response:
    if since is not None and since.tzinfo is not None:
        since = since.astimezone(UTC).replace(tzinfo=None)
    with state.sessions() as session:
        items = settled(session, since)
        lines = [
            json.dumps(
                {
                    "id": f"review-{item.id}",
                    "post_id": item.id,
                    "text": item.text,
                    "label": item.label,
                    "categories": item.label_categories or [],
                    "lookalike": item.label_lookalike if item.label == "neutral" else None,
                    "platform": item.platform,
                    "origin": "analyst",
                    "decided_at": _iso(item.decided_at),
                    "decided_by": item.decided_by,
                    "model_version": item.model_version,
                },
                ensure_ascii=False,
            )
            for item in items
        ]
        audit(session, caller.name, "labels.export", "labels", {"since": _iso(since)}, {"rows": len(lines)})
    body = "".join(line + "\n" for line in lines)
    return Response(body, media_type="application/x-ndjson")
