"""Background retraining jobs: one at a time, progress and result kept in memory and in
`$NETRA_HOME/jobs/<id>.json`. A job that crashes leaves the registry untouched (see training.retrain)."""

from __future__ import annotations

import json
import threading
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class JobBusy(RuntimeError):
    pass


class JobManager:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.jobs: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.running: str | None = None

    def _save(self, job: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{job['id']}.json").write_text(
            json.dumps(job, ensure_ascii=False, default=str), encoding="utf-8"
        )

    def get(self, job_id: str) -> dict[str, Any] | None:
        if job_id in self.jobs:
            return self.jobs[job_id]
        path = self.folder / f"{job_id}.json"
        if path.exists() and path.parent == self.folder:
            return json.loads(path.read_text(encoding="utf-8"))
        return None

    def start(
        self, kind: str, work: Callable[[Callable[[str], None]], dict[str, Any]], by: str
    ) -> dict[str, Any]:
        with self.lock:
            if self.running is not None:
                raise JobBusy(f"job {self.running} is still running; only one retraining runs at a time")
            job = {
                "id": uuid.uuid4().hex[:12],
                "kind": kind,
                "status": "running",
                "by": by,
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "progress": [],
                "result": None,
                "error": None,
            }
            self.jobs[job["id"]] = job
            self.running = job["id"]
            self._save(job)

        def progress(message: str) -> None:
            job["progress"].append(
                {"at": datetime.now(UTC).isoformat(timespec="seconds"), "message": message}
            )
            self._save(job)

        def target() -> None:
            try:
                job["result"] = work(progress)
                job["status"] = "succeeded"
            except Exception as exc:
                job["status"] = "failed"
                job["error"] = f"{type(exc).__name__}: {exc}"
                job["traceback"] = traceback.format_exc(limit=5)
            finally:
                job["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
                self._save(job)
                with self.lock:
                    self.running = None

        threading.Thread(target=target, name=f"netra-job-{job['id']}", daemon=True).start()
        return job
