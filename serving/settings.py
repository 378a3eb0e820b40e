"""Service settings, from `NETRA_*` environment variables (or a `.env` file). Created by `get_settings()`,
never at import time, so each test or deployment builds its own."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from netra.paths import default_model_path

DEFAULT_HOME = Path.home() / ".netra"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NETRA_", env_file=".env", extra="ignore")

    # All state (database, model registry, scan checkpoints) lives under this folder.
    home: Path = DEFAULT_HOME
    # Empty: SQLite (WAL) at <home>/data/netra.db. PostgreSQL: postgresql+psycopg://user:pw@host/db
    database_url: str = ""
    # Empty: NETRA_MODEL or the embedded default (models/default).
    model: str = ""
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    # "enabled" (API keys with roles) or "disabled" (everyone is admin; loudly logged).
    auth: Literal["enabled", "disabled"] = "enabled"
    max_posts_per_request: int = Field(256, ge=1)
    max_text_chars: int = Field(5000, ge=1)
    max_body_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    page_size: int = Field(50, ge=1, le=500)
    # Evidence spans for flagged posts ("flagged") or none ("none": faster for a transformer on CPU).
    evidence: Literal["flagged", "none"] = "flagged"
    # Dynamic batching of concurrent /v1/score requests (0 disables).
    batch_wait_ms: float = Field(0.0, ge=0.0, le=1000.0)
    # How often a server on the registry checks for a newly promoted model (0: only on promote via the API).
    registry_poll_seconds: float = Field(2.0, ge=0.0)
    # Tests: a fixed model object, but still a registry for admin endpoints.
    registry_with_fixed_model: bool = False

    @field_validator("home", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'netra.db'}"

    @property
    def resolved_model(self) -> Path:
        return Path(self.model) if self.model else default_model_path()

    @property
    def uses_registry(self) -> bool:
        """Serve the registry's active version unless a model was configured (NETRA_MODEL or --model)."""
        return not self.model and not os.environ.get("NETRA_MODEL")

    @property
    def loopback(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1") or self.host.startswith("127.")


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)
