"""Dynamic batching: concurrent /v1/score requests are gathered for a few milliseconds (or until enough
posts are waiting) and scored in one `Classifier.predict` call, which is much cheaper per post for a
transformer. Each request still gets exactly its own results, in order.

Latency bound: a request waits at most `wait_ms` before its batch starts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any


class Batcher:
    def __init__(
        self, get_model: Callable[[], Any], wait_ms: float, max_posts: int = 256, evidence: str = "flagged"
    ) -> None:
        self.get_model = get_model
        self.evidence = evidence
        self.wait = wait_ms / 1000.0
        self.max_posts = max_posts
        self.items: list[tuple[list[str], Future]] = []
        self.waiting_posts = 0
        self.condition = threading.Condition()
        self.closed = False
        self.thread = threading.Thread(target=self._run, name="netra-batcher", daemon=True)
        self.thread.start()

    def predict(self, texts: Sequence[str]) -> tuple[Any, list[Any]]:
        """(the model that scored them, their predictions)."""
        future: Future = Future()
        with self.condition:
            if self.closed:
                raise RuntimeError("the batcher is closed")
            self.items.append((list(texts), future))
            self.waiting_posts += len(texts)
            self.condition.notify()
        return future.result()

    def close(self) -> None:
        with self.condition:
            self.closed = True
            self.condition.notify()
        self.thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self.condition:
                while not self.items and not self.closed:
                    self.condition.wait()
                if self.closed and not self.items:
                    return
                deadline = time.monotonic() + self.wait
                while self.waiting_posts < self.max_posts and not self.closed:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self.condition.wait(remaining)
                taken, self.items = self.items, []
                self.waiting_posts = 0
            model = self.get_model()
            texts = [t for batch, _ in taken for t in batch]
            try:
                predictions = model.predict(texts, evidence=self.evidence)
            except Exception as exc:
                for _, future in taken:
                    future.set_exception(exc)
                continue
            start = 0
            for batch, future in taken:
                future.set_result((model, predictions[start : start + len(batch)]))
                start += len(batch)
