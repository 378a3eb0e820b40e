"""Dependencies shared by the routers."""

from __future__ import annotations

from fastapi import Request

from netra.serving.app import AppState


def app_state(request: Request) -> AppState:
    return request.app.state.netra
