"""Admin: the model registry, retraining jobs, promotion (with the gate) and hot swap."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from netra.serving.auth import Principal, require
from netra.serving.db import audit
from netra.serving.deps import app_state
from netra.serving.jobs import JobBusy

router = APIRouter(prefix="/v1/admin", tags=["admin"])


class RetrainCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    config: str = "linear.yaml"
    since: datetime | None = None
    overrides: list[str] = Field(default_factory=list)


class PromoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    force: bool = False
    reason: str | None = Field(None, max_length=2000)


def _registry(state):
    if state.registry is None:
        raise HTTPException(409, "this server serves a fixed model (NETRA_MODEL/--model), not the registry")
    return state.registry


@router.get("/models")
def list_models(state=Depends(app_state), _: Principal = Depends(require("admin"))) -> list[dict]:
    return _registry(state).list()


@router.post("/retrain", status_code=202)
def start_retrain(
    body: RetrainCreate, state=Depends(app_state), caller: Principal = Depends(require("admin"))
) -> dict:
    from netra.training.config import CONFIG_DIR, ConfigError, load_config
    from netra.training.retrain import labels_from_database, retrain

    registry = _registry(state)
    config_path = CONFIG_DIR / body.config if "/" not in body.config else body.config
    try:
        load_config(config_path, body.overrides)  # fail now, not minutes into the job
    except ConfigError as exc:
        raise HTTPException(422, str(exc)) from exc
    since = body.since

    def work(progress) -> dict:
        progress("reading settled decisions")
        labels = labels_from_database(state.settings.resolved_database_url, since)
        return retrain(registry, labels, config_path, body.overrides, progress=progress)

    try:
        job = state.jobs.start("retrain", work, by=caller.name)
    except JobBusy as exc:
        raise HTTPException(409, str(exc)) from exc
    with state.sessions() as session:
        audit(session, caller.name, "retrain.start", f"job:{job['id']}", None, body.model_dump(mode="json"))
    return {"id": job["id"], "status": job["status"]}


@router.get("/jobs/{job_id}")
def get_job(job_id: str, state=Depends(app_state), _: Principal = Depends(require("admin"))) -> dict:
    job = state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job with id {job_id!r}")
    return {k: v for k, v in job.items() if k != "traceback"}


@router.post("/models/{version}/promote")
def promote_model(
    version: str, body: PromoteCreate, state=Depends(app_state), caller: Principal = Depends(require("admin"))
) -> dict:
    from netra.training.gate import promote
    from netra.training.registry import RegistryError

    registry = _registry(state)
    try:
        result = promote(registry, version, by=caller.name, force=body.force, reason=body.reason)
    except RegistryError as exc:
        raise HTTPException(422, str(exc)) from exc
    outcome = {
        "candidate": version,
        "active_before": result.active,
        "promoted": result.promoted,
        "forced": result.forced,
        "reasons": result.reasons,
        "report": str(result.report),
    }
    with state.sessions() as session:
        audit(
            session,
            caller.name,
            "model.promote" if result.promoted else "model.promote_refused",
            f"model:{version}",
            {"version": result.active},
            {**outcome, "reason": body.reason},
        )
    if not result.promoted:
        raise HTTPException(409, {"message": "the promotion gate refused the candidate", **outcome})
    state.sync_with_registry()
    return {**outcome, "serving": state.model.version}
