"""The model registry: versioned, immutable model folders under `$NETRA_HOME/registry/`, plus a pointer
to the active one. Its first version is the embedded default.

    registry/
      registry.json          {"active": V, "versions": {V: {...}}, "history": [...]}
      models/<V>/            one plain model folder per version (never modified once registered)
      reports/               comparison reports written by the promotion gate

Writes go through a lock file and an atomic rename, so the CLI and a running server can share it."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from netra.paths import EMBEDDED_DEFAULT


class RegistryError(ValueError):
    pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _meta(folder: Path) -> dict[str, Any]:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if "netra" not in config:
        raise RegistryError(f"{folder}: not a trained Netra model (no 'netra' key in config.json)")
    return config["netra"]


class Registry:
    def __init__(self, home: Path, seed_model: Path | None = None) -> None:
        self.root = Path(home) / "registry"
        self.models = self.root / "models"
        self.reports = self.root / "reports"
        self.file = self.root / "registry.json"
        self.seed_model = seed_model or EMBEDDED_DEFAULT

    # -- storage ------------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._read()
            yield data
            tmp = self.file.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.file)

    def _read(self) -> dict[str, Any]:
        if self.file.exists():
            return json.loads(self.file.read_text(encoding="utf-8"))
        return {"active": None, "versions": {}, "history": []}

    def ensure_initialized(self) -> None:
        """Register and activate the embedded default if the registry is empty."""
        if self._read().get("active"):
            return
        if not (self.seed_model / "config.json").exists():
            raise RegistryError(
                f"the registry is empty and {self.seed_model} has no model (run `make setup`)"
            )
        version = self.register(self.seed_model, note="embedded default")
        with self._locked() as data:
            if not data.get("active"):
                data["active"] = version
                data["history"].append(
                    {"at": _now(), "action": "activate", "version": version, "by": "system"}
                )

    # -- reading ------------------------------------------------------------------------------------
    def data(self) -> dict[str, Any]:
        return self._read()

    @property
    def active(self) -> str | None:
        return self._read().get("active")

    def path(self, version: str) -> Path:
        if version not in self._read()["versions"]:
            raise RegistryError(f"unknown model version {version!r}; see `netra models list`")
        return self.models / version

    def list(self) -> list[dict[str, Any]]:
        data = self._read()
        out = []
        for version, info in sorted(data["versions"].items(), key=lambda kv: kv[1]["registered_at"]):
            out.append(
                {
                    "version": version,
                    "active": version == data.get("active"),
                    "created_at": info.get("created_at"),
                    "parent": info.get("parent"),
                    "kind": info.get("kind"),
                    "metrics": info.get("metrics", {}),
                }
            )
        return out

    def show(self, version: str) -> dict[str, Any]:
        data = self._read()
        if version not in data["versions"]:
            raise RegistryError(f"unknown model version {version!r}; see `netra models list`")
        return {"version": version, "active": version == data.get("active"), **data["versions"][version]}

    # -- writing ------------------------------------------------------------------------------------
    def register(self, folder: Path, note: str = "", lineage: dict[str, Any] | None = None) -> str:
        """Copy a model folder in as a new, immutable version. Registering a version twice is refused."""
        meta = _meta(folder)
        version = meta["version"]
        target = self.models / version
        with self._locked() as data:
            if version in data["versions"] or target.exists():
                raise RegistryError(
                    f"version {version} is already registered; versions are immutable (the same config and "
                    "training data give the same version: nothing new to learn from)"
                )
            self.models.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=self.models))
            shutil.copytree(folder, staging, dirs_exist_ok=True)
            os.replace(staging, target)
            test = (meta.get("metrics") or {}).get("test", {})
            data["versions"][version] = {
                "registered_at": _now(),
                "created_at": meta.get("created_at"),
                "kind": meta.get("kind"),
                "parent": (lineage or {}).get("parent", meta.get("parent")),
                "data_hash": meta.get("data_hash"),
                "new_labels": (lineage or {}).get("new_labels", meta.get("new_labels", 0)),
                "config": (lineage or {}).get("config"),
                "note": note,
                "metrics": {
                    "f1": (test.get("partisan") or {}).get("f1"),
                    "precision": (test.get("partisan") or {}).get("precision"),
                    "recall": (test.get("partisan") or {}).get("recall"),
                    "camp_symmetry_mean_abs_delta": (test.get("camp_symmetry") or {}).get("mean_abs_delta"),
                },
            }
            data["history"].append({"at": _now(), "action": "register", "version": version, "note": note})
        return version

    def activate(
        self, version: str, by: str, action: str = "promote", reason: str | None = None
    ) -> str | None:
        with self._locked() as data:
            if version not in data["versions"]:
                raise RegistryError(f"unknown model version {version!r}")
            previous = data.get("active")
            data["active"] = version
            data["history"].append(
                {
                    "at": _now(),
                    "action": action,
                    "version": version,
                    "previous": previous,
                    "by": by,
                    "reason": reason,
                }
            )
        return previous

    def rollback(self, by: str) -> str:
        """Re-activate the version that was active before the current one."""
        data = self._read()
        current = data.get("active")
        for entry in reversed(data["history"]):
            if (
                entry["action"] in ("promote", "rollback")
                and entry.get("version") == current
                and entry.get("previous")
            ):
                self.activate(entry["previous"], by, action="rollback")
                return entry["previous"]
        raise RegistryError(f"nothing to roll back to: {current} has no previous active version")
