"""Admin: API keys."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select

from netra.serving.auth import Principal, create_key, require
from netra.serving.db import audit, now
from netra.serving.deps import app_state
from netra.serving.schemas import KeyCreate, KeyPublic
from netra.serving.tables import ApiKey

router = APIRouter(prefix="/v1/admin", tags=["admin"])


@router.post("/keys", response_model=KeyPublic, status_code=201)
def new_key(body: KeyCreate, state=Depends(app_state), caller: Principal = Depends(require("admin"))) -> dict:
    with state.sessions() as session:
        key = create_key(session, body.role, body.name, actor=caller.name)
        record = session.scalar(select(ApiKey).where(ApiKey.prefix == key[:12]))
        return {
            "id": record.id,
            "name": record.name,
            "role": record.role,
            "prefix": record.prefix,
            "key": key,
        }


@router.get("/keys", response_model=list[KeyPublic])
def list_keys(state=Depends(app_state), _: Principal = Depends(require("admin"))) -> list[dict]:
    with state.sessions() as session:
        records = session.scalars(select(ApiKey).where(ApiKey.revoked_at.is_(None)).order_by(ApiKey.id)).all()
        return [{"id": r.id, "name": r.name, "role": r.role, "prefix": r.prefix} for r in records]


@router.delete("/keys/{key_id}", status_code=204)
def revoke_key(key_id: int, state=Depends(app_state), caller: Principal = Depends(require("admin"))) -> None:
    with state.sessions() as session:
        record = session.get(ApiKey, key_id)
        if record is None or record.revoked_at is not None:
            raise HTTPException(404, f"no active key with id {key_id}")
        record.revoked_at = now()
        audit(session, caller.name, "key.revoke", f"key:{key_id}", {"role": record.role}, None)
    state.key_cache.clear()
