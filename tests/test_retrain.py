"""Analysts' decisions -> retrain -> registry candidate -> promotion gate -> hot swap (issue: retraining)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from netra.cli import app as cli
from netra.serving.app import create_app
from netra.serving.settings import Settings
from netra.training.registry import Registry, RegistryError
from tests.conftest import write_jsonl


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def wait_for(client, job_id: str, key: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/admin/jobs/{job_id}", headers=auth(key)).json()
        if job["status"] != "running":
            return job
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture
def home(tmp_path, linear_model_dir, monkeypatch) -> Path:
    monkeypatch.delenv("NETRA_MODEL", raising=False)
    monkeypatch.setenv("NETRA_HOME", str(tmp_path / "home"))
    Registry(tmp_path / "home", seed_model=linear_model_dir).ensure_initialized()
    return tmp_path / "home"


def flipped_corpus(path: Path, corpus_rows: list[dict]) -> Path:
    """A deliberately damaged training set: train/validation labels flipped (test untouched)."""
    rows = []
    for r in corpus_rows:
        r = dict(r)
        if r["split"] != "test":
            if r["label"] == "partisan":
                r.update(label="neutral", categories=[], lookalike="berita")
            else:
                r.update(label="partisan", categories=["ajakan_memilih"], lookalike=None, contest="pilkada")
        rows.append(r)
    return write_jsonl(path, rows)


def test_decisions_retrain_gate_and_hot_swap(home, linear_model, corpus_rows, tmp_path):
    registry = Registry(home)
    first = registry.active
    settings = Settings(home=home, registry_poll_seconds=0.2)
    with TestClient(create_app(settings)) as client:
        admin = client.app.state.netra.bootstrap_key
        ana = client.post(
            "/v1/admin/keys", json={"role": "analyst", "name": "ana"}, headers=auth(admin)
        ).json()["key"]
        assert client.get("/v1/model", headers=auth(ana)).json()["version"] == first

        # Analysts decide flagged posts through the API (here: posts of the training split, labelled as in the corpus).
        written = [r for r in corpus_rows if r["split"] == "train" and r["origin"] == "written"]
        train_rows = [r for r in written if r["label"] == "partisan"][:100] + [
            r for r in written if r["label"] == "neutral"
        ][-100:]
        results = client.post(
            "/v1/score",
            json={"posts": [{"text": r["text"] + " (diteruskan)"} for r in train_rows]},
            headers=auth(ana),
        ).json()["results"]
        decided = 0
        for row, result in zip(train_rows, results, strict=False):
            if not result["flagged"]:
                continue
            body = {"label": row["label"], "categories": row["categories"]}
            if row["label"] == "neutral":
                body = {"label": "neutral"}
            assert (
                client.post(f"/v1/reviews/{result['id']}/decisions", json=body, headers=auth(ana)).status_code
                == 201
            )
            decided += 1
        assert decided >= 20

        started = client.post("/v1/admin/retrain", json={}, headers=auth(admin))
        assert started.status_code == 202, started.text
        busy = client.post("/v1/admin/retrain", json={}, headers=auth(admin))
        assert busy.status_code == 409 and "only one retraining runs at a time" in busy.json()["detail"]
        job = wait_for(client, started.json()["id"], admin)
        assert job["status"] == "succeeded", job.get("error")
        candidate = job["result"]["candidate"]
        assert job["result"]["parent"] == first and job["result"]["new_labels"] == decided
        info = registry.show(candidate)
        assert info["parent"] == first and info["new_labels"] == decided and info["data_hash"]
        assert registry.active == first  # retraining never promotes by itself

        promoted = client.post(f"/v1/admin/models/{candidate}/promote", json={}, headers=auth(admin))
        assert promoted.status_code == 200, promoted.text
        assert promoted.json()["serving"] == candidate
        assert Path(promoted.json()["report"]).exists()
        assert client.get("/v1/model", headers=auth(ana)).json()["version"] == candidate
        scored = client.post(
            "/v1/score", json={"posts": [{"text": "Ayo dukung Pak Darmo nomor 3"}]}, headers=auth(ana)
        )
        assert scored.json()["model_version"] == candidate

        # A damaged candidate (labels flipped) is refused by the gate; the active model stays.
        damaged = flipped_corpus(tmp_path / "flipped.jsonl", corpus_rows)
        started = client.post(
            "/v1/admin/retrain",
            json={"overrides": [f"corpus={damaged}", "name=flipped"]},
            headers=auth(admin),
        )
        job = wait_for(client, started.json()["id"], admin)
        assert job["status"] == "succeeded", job.get("error")
        bad = job["result"]["candidate"]
        refused = client.post(f"/v1/admin/models/{bad}/promote", json={}, headers=auth(admin))
        assert refused.status_code == 409
        assert any("F1" in reason for reason in refused.json()["detail"]["reasons"])
        assert registry.active == candidate
        assert client.get("/v1/model", headers=auth(ana)).json()["version"] == candidate

        # The CLI sees the same registry; its promote exits non-zero on refusal; rollback swaps the server back.
        runner = CliRunner()
        listed = json.loads(runner.invoke(cli, ["models", "list", "--json"]).output)
        assert {m["version"] for m in listed} == {first, candidate, bad}
        assert [m["version"] for m in listed if m["active"]] == [candidate]
        assert runner.invoke(cli, ["models", "promote", bad]).exit_code == 1
        rolled = runner.invoke(cli, ["models", "rollback"])
        assert rolled.exit_code == 0, rolled.output
        deadline = time.monotonic() + 10
        while (
            client.get("/v1/model", headers=auth(ana)).json()["version"] != first
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        assert client.get("/v1/model", headers=auth(ana)).json()["version"] == first
        forced = runner.invoke(cli, ["models", "promote", bad, "--force", "--reason", "drill"])
        assert forced.exit_code == 0 and "by force" in forced.output


def test_a_crashed_retrain_leaves_the_registry_untouched(home, corpus_rows, tmp_path):
    registry = Registry(home)
    before = registry.data()
    one_class = write_jsonl(
        tmp_path / "neutral-only.jsonl", [r for r in corpus_rows if r["label"] == "neutral"]
    )
    settings = Settings(home=home, registry_poll_seconds=0)
    with TestClient(create_app(settings)) as client:
        admin = client.app.state.netra.bootstrap_key
        started = client.post(
            "/v1/admin/retrain",
            json={"overrides": [f"corpus={one_class}", "extra_labels=[]"]},  # no supplement's partisan posts
            headers=auth(admin),
        )
        job = wait_for(client, started.json()["id"], admin)
        assert job["status"] == "failed" and job["error"]
    assert registry.data()["versions"] == before["versions"] and registry.active == before["active"]
    assert not any((registry.root / "tmp").iterdir())


def test_retrain_from_an_export_file_reports_overrides(home, corpus_rows, tmp_path):
    source = [r for r in corpus_rows if r["split"] == "train" and r["label"] == "partisan"][:5]
    labels = [
        {
            "id": f"p{i}",
            "text": r["text"],
            "label": "neutral",
            "categories": [],
            "decided_at": "2026-11-20T10:00:00+00:00",
        }
        for i, r in enumerate(source)
    ]
    test_row = next(r for r in corpus_rows if r["split"] == "test")
    labels.append(
        {"id": "t", "text": test_row["text"], "label": "partisan", "categories": ["ajakan_memilih"]}
    )
    labels.append(
        {"id": "new", "text": "Postingan baru dari analis tentang kerja bakti RT", "label": "neutral"}
    )
    path = write_jsonl(tmp_path / "labels.jsonl", labels)
    result = CliRunner().invoke(cli, ["retrain", "--labels", str(path)])
    assert result.exit_code == 0, result.output
    assert "5 corpus labels overridden" in result.output
    registry = Registry(home)
    candidate = next(m for m in registry.list() if not m["active"])
    report = json.loads((registry.reports / f"retrain-{candidate['version']}.json").read_text())
    assert (
        len(report["overrides"]) == 5 and report["skipped"][0]["reason"] == "text is in the frozen test split"
    )
    assert report["new_labels"] == 6


def test_versions_are_immutable(home, linear_model_dir):
    registry = Registry(home)
    with pytest.raises(RegistryError, match="already registered"):
        registry.register(linear_model_dir)
    with pytest.raises(RegistryError, match="no previous active version"):
        registry.rollback(by="test")


def test_the_loop_with_a_small_transformer(
    tmp_path, transformer_model_dir, tiny_bert_dir, corpus_rows, monkeypatch
):
    from netra.training.gate import promote
    from netra.training.retrain import retrain

    monkeypatch.delenv("NETRA_MODEL", raising=False)
    home = tmp_path / "home"
    registry = Registry(home, seed_model=transformer_model_dir)
    registry.ensure_initialized()
    first = registry.active
    labels = [
        {"id": f"n{i}", "text": r["text"] + " #repost", "label": r["label"], "categories": r["categories"]}
        for i, r in enumerate(r for r in corpus_rows if r["split"] == "train")
        if i < 60
    ]
    overrides = [
        f"base_model={tiny_bert_dir}",
        "max_steps=30",
        "batch_size=16",
        "max_length=128",
        "learning_rate=1e-3",
    ]
    report = retrain(registry, labels, "training/configs/indobert-base.yaml", overrides)
    candidate = report["candidate"]
    assert registry.show(candidate)["parent"] == first and registry.show(candidate)["kind"] == "transformer"
    result = promote(registry, candidate, by="test", force=True, reason="tiny model: gate figures are noise")
    assert result.promoted and result.report.exists()
    with TestClient(create_app(Settings(home=home, registry_poll_seconds=0))) as client:
        key = client.app.state.netra.bootstrap_key
        response = client.post(
            "/v1/score", json={"posts": [{"text": "Ayo dukung Pak Darmo nomor 3"}]}, headers=auth(key)
        )
        assert response.json()["model_version"] == candidate


def test_the_gate_scores_each_model_on_the_test_split_once(home, corpus_rows, monkeypatch, tmp_path):
    """The gate's metrics and flips come from one pass of each model over the frozen test split, and the
    metrics are those a plain `evaluate` gives."""
    import shutil

    from netra.model import Classifier
    from netra.training.evaluation import evaluate
    from netra.training.gate import compare

    registry = Registry(home)
    active = registry.active
    twin = tmp_path / "twin"
    shutil.copytree(registry.path(active), twin)
    config = json.loads((twin / "config.json").read_text())
    config["netra"]["version"] = f"{active}-twin"
    (twin / "config.json").write_text(json.dumps(config))
    candidate = registry.register(twin)
    rows = [r for r in corpus_rows if r["split"] == "test" and r["origin"] == "written"]
    texts = [r["text"] for r in rows]

    expected = evaluate(Classifier.from_pretrained(registry.path(active)), rows)
    calls: list[str] = []
    predict = Classifier.predict

    def counting(self, batch, *args, **kwargs):
        if list(batch) == texts:
            calls.append(self.version)
        return predict(self, batch, *args, **kwargs)

    monkeypatch.setattr(Classifier, "predict", counting)
    comparison = compare(registry, candidate, active, rows)
    assert sorted(calls) == sorted([active, candidate])
    assert comparison["metrics"][active]["partisan"] == expected["partisan"]
    assert comparison["metrics"][active]["categories"] == expected["categories"]
    assert comparison["metrics"][candidate]["partisan"] == expected["partisan"]
    assert comparison["flips"] == []
