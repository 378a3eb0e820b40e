"""Health, readiness, metrics and model information."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from netra.data.schema import CATEGORIES
from netra.serving.auth import Principal, require
from netra.serving.db import ping
from netra.serving.deps import app_state
from netra.serving.schemas import ModelPublic

router = APIRouter(tags=["service"])


@router.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(state=Depends(app_state)) -> JSONResponse:
    checks = {"model": state.model is not None, "database": ping(state.engine)}
    ready = all(checks.values())
    return JSONResponse({"ready": ready, **checks}, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics(state=Depends(app_state)) -> Response:
    return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/model", response_model=ModelPublic)
def model_info(state=Depends(app_state), _: Principal = Depends(require("analyst"))) -> dict:
    model = state.model
    return {
        "version": model.version,
        "kind": model.kind,
        "labels": ["neutral", "partisan"],
        "categories": list(CATEGORIES),
        "threshold": model.threshold,
        "metrics": model.metrics.get("test", {}),
    }
