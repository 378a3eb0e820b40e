"""API keys with roles. Keys are random, shown once, stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from netra.serving.db import audit, now
from netra.serving.tables import ApiKey

log = logging.getLogger("netra.serving")

ROLES = ("analyst", "supervisor", "admin")
RANK = {role: rank for rank, role in enumerate(ROLES)}


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    key_id: int | None = None

    def can(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, role: str, name: str, actor: str = "system") -> str:
    """Store a new key's hash and return the key itself (the only time it is visible)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    key = "netra_" + secrets.token_urlsafe(32)
    record = ApiKey(name=name, role=role, prefix=key[:12], key_hash=hash_key(key), created_at=now())
    session.add(record)
    session.flush()
    audit(
        session,
        actor,
        "key.create",
        f"key:{record.id}",
        None,
        {"name": name, "role": role, "prefix": record.prefix},
    )
    return key


def active_key_count(session: Session) -> int:
    return len(session.scalars(select(ApiKey.id).where(ApiKey.revoked_at.is_(None))).all())


def principal(request: Request) -> Principal:
    """The caller, from `Authorization: Bearer <key>` or `X-API-Key: <key>`."""
    state = request.app.state.netra
    if state.settings.auth == "disabled":
        return Principal("anonymous", "admin")
    header = request.headers.get("authorization", "")
    key = (
        header[7:].strip()
        if header.lower().startswith("bearer ")
        else request.headers.get("x-api-key", "").strip()
    )
    if not key:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    cached = state.key_cache.get(hash_key(key))
    if cached is None:
        with state.sessions() as session:
            record = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
            if record is None or record.revoked_at is not None:
                raise HTTPException(
                    status.HTTP_401_UNAUTHORIZED,
                    "invalid or revoked API key",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            cached = Principal(f"{record.name} ({record.prefix}…)", record.role, record.id)
        state.key_cache[hash_key(key)] = cached
    return cached


def require(role: str):
    """A dependency that lets through callers with at least `role`."""

    def check(caller: Principal = Depends(principal)) -> Principal:
        if not caller.can(role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this action needs the {role} role; your key has the {caller.role} role",
            )
        return caller

    return check
