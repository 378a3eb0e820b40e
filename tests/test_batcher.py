"""Dynamic batching gives every request its own results, in order, and bounds the wait."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from netra.serving.app import create_app
from netra.serving.batcher import Batcher
from netra.serving.settings import Settings


class CountingModel:
    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls: list[int] = []

    def predict(self, texts, **kwargs):
        self.calls.append(len(texts))
        return self.inner.predict(texts, **kwargs)


def test_concurrent_requests_are_scored_together_and_split_back(linear_model, corpus_rows):
    model = CountingModel(linear_model)
    batcher = Batcher(lambda: model, wait_ms=200)
    texts = [r["text"] for r in corpus_rows[:24]]
    requests = [texts[i : i + 3] for i in range(0, 24, 3)]
    results: dict[int, list] = {}

    def call(k: int) -> None:
        results[k] = batcher.predict(requests[k])[1]

    threads = [threading.Thread(target=call, args=(k,)) for k in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    batcher.close()
    assert len(model.calls) < len(requests)  # gathered
    for k, texts_k in enumerate(requests):
        assert results[k] == linear_model.predict(texts_k)


def test_server_with_dynamic_batching(tmp_path, linear_model):
    settings = Settings(home=tmp_path / "h", batch_wait_ms=5)
    with TestClient(create_app(settings, model=linear_model)) as client:
        key = client.app.state.netra.bootstrap_key
        body = {
            "posts": [{"text": "Ayo coblos Pak Darmo nomor 3"}, {"text": "makan siang dulu"}],
            "store": False,
        }
        response = client.post("/v1/score", json=body, headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200
        expected = linear_model.predict([p["text"] for p in body["posts"]])
        assert [r["score"] for r in response.json()["results"]] == [p.score for p in expected]
