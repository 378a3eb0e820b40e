"""`create_app(settings)`: the FastAPI application. The model is loaded once, at start-up."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from netra.model import Classifier
from netra.serving.db import audit, make_engine, migrate, session_scope
from netra.serving.metrics import Metrics
from netra.serving.settings import Settings, get_settings

log = logging.getLogger("netra.serving")


class StartupError(RuntimeError):
    pass


@dataclass
class AppState:
    settings: Settings
    model: Classifier
    engine: Any
    session_factory: Any
    metrics: Metrics
    key_cache: dict = field(default_factory=dict)
    model_lock: threading.Lock = field(default_factory=threading.Lock)
    bootstrap_key: str | None = None
    registry: Any = None  # the model registry, unless a fixed model was configured
    jobs: Any = None
    batcher: Any = None
    stop: threading.Event = field(default_factory=threading.Event)

    def sessions(self):
        return session_scope(self.session_factory)

    def swap_model(self, new: Classifier) -> Classifier:
        """Requests already running keep the model they started with; new ones get `new`."""
        with self.model_lock:
            old, self.model = self.model, new
        return old

    def sync_with_registry(self) -> bool:
        """Load and switch to the registry's active version if it changed (no downtime). True if swapped."""
        if self.registry is None:
            return False
        active = self.registry.active
        if active is None or active == self.model.version:
            return False
        new = Classifier.from_pretrained(self.registry.path(active))
        old = self.swap_model(new)
        with self.sessions() as session:
            audit(
                session,
                "system",
                "model.activate",
                "model",
                {"version": old.version},
                {"version": new.version},
            )
        log.info("switched model %s -> %s", old.version, new.version)
        return True

    def watch_registry(self, interval: float) -> None:
        while not self.stop.wait(interval):
            try:
                self.sync_with_registry()
            except Exception:
                log.exception("could not switch to the registry's active model")


def _bootstrap(state: AppState) -> None:
    """First start: make sure somebody can log in, and record the model and settings in the audit log."""
    from sqlalchemy import select

    from netra.serving.auth import active_key_count, create_key
    from netra.serving.tables import AuditEntry

    settings = state.settings
    with state.sessions() as session:
        if settings.auth == "disabled":
            log.warning(
                "!!! NETRA_AUTH=disabled: every request is treated as admin. Never expose this server. !!!"
            )
        elif active_key_count(session) == 0:
            if not settings.loopback:
                raise StartupError(
                    f"refusing to start on {settings.host}: no API key exists. Create one with "
                    "`netra keys create --role admin`, or bind to 127.0.0.1, or set NETRA_AUTH=disabled "
                    "explicitly (not recommended)."
                )
            key = create_key(session, "admin", "bootstrap admin", actor="system")
            state.bootstrap_key = key
            print(
                f"\nNetra: created the first admin API key (shown only now, store it safely):\n  {key}\n",
                flush=True,
            )
        last_model = session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "model.activate")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        version = state.model.version
        previous = (
            last_model.after.get("version") if last_model and isinstance(last_model.after, dict) else None
        )
        if previous != version:
            audit(session, "system", "model.activate", "model", {"version": previous}, {"version": version})
        public = {k: v for k, v in settings.model_dump(mode="json").items() if k not in ("database_url",)}
        last_settings = session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "settings.change")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        if last_settings is None or last_settings.after != public:
            audit(
                session,
                "system",
                "settings.change",
                "settings",
                last_settings.after if last_settings else None,
                public,
            )


def create_app(settings: Settings | None = None, model: Classifier | None = None) -> FastAPI:
    from netra.serving.memory import limit_malloc_arenas

    settings = settings or get_settings()
    limit_malloc_arenas()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from sqlalchemy.orm import sessionmaker

        from netra.serving.jobs import JobManager
        from netra.training.registry import Registry

        settings.home.mkdir(parents=True, exist_ok=True)
        registry = None
        if model is not None:
            classifier = model
        elif settings.uses_registry:
            registry = Registry(settings.home)
            registry.ensure_initialized()
            classifier = Classifier.from_pretrained(registry.path(registry.active))
        else:
            classifier = Classifier.from_pretrained(settings.resolved_model)
        engine = make_engine(settings.resolved_database_url)
        migrate(engine)
        metrics = Metrics()
        state = AppState(settings, classifier, engine, sessionmaker(engine, expire_on_commit=False), metrics)
        state.registry = (
            registry
            if registry is not None
            else (Registry(settings.home) if settings.registry_with_fixed_model else None)
        )
        state.jobs = JobManager(settings.home / "jobs")
        metrics.attach_queue(state.sessions)
        if settings.batch_wait_ms > 0:
            from netra.serving.batcher import Batcher

            state.batcher = Batcher(
                lambda: state.model, settings.batch_wait_ms, settings.max_posts_per_request, settings.evidence
            )
        _bootstrap(state)
        app.state.netra = state
        watcher = None
        if state.registry is not None and settings.registry_poll_seconds > 0:
            watcher = threading.Thread(
                target=state.watch_registry,
                args=(settings.registry_poll_seconds,),
                name="netra-registry",
                daemon=True,
            )
            watcher.start()
        log.info("serving model %s", classifier.version)
        try:
            yield
        finally:
            state.stop.set()
            if state.batcher is not None:
                state.batcher.close()
            if watcher is not None:
                watcher.join(timeout=5)
            engine.dispose()

    app = FastAPI(
        title="Netra",
        version="1",
        summary="Scores posts of civil servants (ASN) for political partisanship; review queue for Bawaslu analysts.",
        lifespan=lifespan,
    )
    from netra.serving.limits import BodyLimitMiddleware
    from netra.serving.routers import admin, health, labels, models, reviews, score, stats, web

    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)

    @app.middleware("http")
    async def measure(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        state = getattr(request.app.state, "netra", None)
        if state is not None:
            state.metrics.requests.labels(request.method, path, str(response.status_code)).inc()
            state.metrics.latency.labels(path).observe(time.perf_counter() - started)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
            problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
        return JSONResponse(
            status_code=422,
            content={"detail": "; ".join(problems) or "invalid request", "errors": jsonable(exc.errors())},
        )

    for router in (
        score.router,
        reviews.router,
        labels.router,
        stats.router,
        admin.router,
        models.router,
        health.router,
        web.router,
    ):
        app.include_router(router)
    return app


def jsonable(errors: Any) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors, custom_encoder={bytes: lambda b: b.decode("utf-8", "replace")})
