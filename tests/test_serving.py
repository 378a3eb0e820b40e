"""The scoring API and review queue, end to end (SQLite by default; PostgreSQL when NETRA_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from fastapi.testclient import TestClient

from netra.serving.app import StartupError, create_app
from netra.serving.settings import Settings


def database_urls() -> list:
    urls = [pytest.param("sqlite", id="sqlite")]
    pg = os.environ.get("NETRA_TEST_POSTGRES_URL")
    urls.append(
        pytest.param(
            pg or "postgres-missing",
            id="postgres",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not pg, reason="NETRA_TEST_POSTGRES_URL not set"),
            ],
        )
    )
    return urls


@pytest.fixture(params=database_urls())
def settings(request, tmp_path) -> Settings:
    url = ""
    if request.param != "sqlite":
        url = _fresh_postgres_database(request.param)
    return Settings(home=tmp_path / "home", database_url=url, host="127.0.0.1")


def _fresh_postgres_database(base_url: str) -> str:
    """A new empty database per test on the CI PostgreSQL server."""
    from sqlalchemy import create_engine, text

    name = f"netra_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module")
def flagged_texts(linear_model, corpus_rows) -> list[str]:
    texts = [r["text"] for r in corpus_rows if r["split"] == "test" and r["label"] == "partisan"]
    predictions = linear_model.predict(texts, evidence="none")
    chosen = [t for t, p in zip(texts, predictions, strict=True) if p.flagged][:12]
    assert len(chosen) == 12
    return chosen


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


class Service:
    """A running app with an admin key, and helpers for the other roles."""

    def __init__(self, settings: Settings, model) -> None:
        self.app = create_app(settings, model=model)
        self.client = TestClient(self.app)
        self.client.__enter__()
        self.admin = self.app.state.netra.bootstrap_key

    def key(self, role: str, name: str) -> str:
        response = self.client.post(
            "/v1/admin/keys", json={"role": role, "name": name}, headers=auth(self.admin)
        )
        assert response.status_code == 201, response.text
        return response.json()["key"]

    def score_one(self, text: str, key: str) -> str:
        """Score one post (stored, so a flagged one enters the queue) and return its id."""
        response = self.client.post("/v1/score", json={"posts": [{"text": text}]}, headers=auth(key))
        assert response.status_code == 200, response.text
        return response.json()["results"][0]["id"]

    def close(self) -> None:
        self.client.__exit__(None, None, None)


@pytest.fixture
def service(settings, linear_model):
    running = Service(settings, linear_model)
    yield running
    running.close()


def test_whole_review_loop_survives_a_restart(settings, linear_model, flagged_texts):
    first = Service(settings, linear_model)
    assert first.admin and first.admin.startswith("netra_")
    ana, bob, sup = first.key("analyst", "ana"), first.key("analyst", "bob"), first.key("supervisor", "sri")
    posts = [
        {"text": flagged_texts[0], "platform": "facebook", "region": "Jawa Tengah"},
        {"text": "Selamat pagi semua, hari ini cerah."},
    ]
    response = first.client.post("/v1/score", json={"posts": posts}, headers=auth(ana))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model_version"] == linear_model.version
    assert [r["flagged"] for r in body["results"]] == [True, False]
    post_id = body["results"][0]["id"]
    assert (
        post_id
        == first.client.post("/v1/score", json={"posts": posts[:1]}, headers=auth(bob)).json()["results"][0][
            "id"
        ]
    )

    queue = first.client.get("/v1/reviews", headers=auth(ana)).json()["items"]
    assert [i["id"] for i in queue] == [post_id]  # flagged only, and no duplicate after the second submission
    assert queue[0]["suggestion"]["model_version"] == linear_model.version
    assert queue[0]["status"] == "pending"

    decide = f"/v1/reviews/{post_id}/decisions"
    assert (
        first.client.post(
            decide, json={"label": "partisan", "categories": ["ajakan_memilih"]}, headers=auth(ana)
        ).status_code
        == 201
    )
    assert first.client.get(f"/v1/reviews/{post_id}", headers=auth(ana)).json()["status"] == "decided"
    assert (
        first.client.post(
            decide, json={"label": "neutral", "note": "berita saja"}, headers=auth(bob)
        ).status_code
        == 201
    )
    assert first.client.get(f"/v1/reviews/{post_id}", headers=auth(ana)).json()["status"] == "conflict"
    conflicts = first.client.get("/v1/reviews", params={"status": "conflict"}, headers=auth(sup)).json()[
        "items"
    ]
    assert [i["id"] for i in conflicts] == [post_id]
    assert first.client.get("/v1/labels/export", headers=auth(sup)).text == ""  # nothing settled yet

    settle = first.client.post(
        decide, json={"label": "partisan", "categories": ["mobilisasi", "ajakan_memilih"]}, headers=auth(sup)
    )
    assert settle.status_code == 201
    item = first.client.get(f"/v1/reviews/{post_id}", headers=auth(ana)).json()
    assert (
        item["status"] == "decided" and item["label"] == "partisan" and item["decided_by"].startswith("sri")
    )
    assert len(item["decisions"]) == 3

    exported = [
        json.loads(line)
        for line in first.client.get("/v1/labels/export", headers=auth(sup)).text.splitlines()
    ]
    assert len(exported) == 1
    row = exported[0]
    assert row["post_id"] == post_id and row["label"] == "partisan"
    assert row["categories"] == ["mobilisasi", "ajakan_memilih"] and row["text"] == flagged_texts[0]
    assert row["decided_by"].startswith("sri") and row["decided_at"]
    stats = first.client.get("/v1/stats", headers=auth(ana)).json()
    assert stats["by_status"]["decided"] == 1
    assert stats["analyst_agreement"]["posts_with_two_decisions"] == 1
    first.close()

    second = Service(settings, linear_model)  # restart on the same database
    assert second.admin is None  # keys exist: no new bootstrap key
    item = second.client.get(f"/v1/reviews/{post_id}", headers=auth(ana)).json()
    assert item["status"] == "decided" and len(item["decisions"]) == 3
    again = second.client.get("/v1/labels/export", headers=auth(sup)).text.splitlines()
    assert [json.loads(line)["post_id"] for line in again] == [post_id]
    second.close()


def test_an_analyst_deciding_again_supersedes_their_decision(service, flagged_texts):
    ana = service.key("analyst", "ana")
    post_id = service.score_one(flagged_texts[1], ana)
    url = f"/v1/reviews/{post_id}/decisions"
    service.client.post(url, json={"label": "neutral"}, headers=auth(ana))
    service.client.post(url, json={"label": "partisan", "categories": ["sebar_konten"]}, headers=auth(ana))
    item = service.client.get(f"/v1/reviews/{post_id}", headers=auth(ana)).json()
    assert item["status"] == "decided" and item["label"] == "partisan"
    first, second = item["decisions"]
    assert first["label"] == "neutral" and first["superseded_by"] == second["id"]


def test_store_false_keeps_nothing(service, flagged_texts):
    ana = service.key("analyst", "ana")
    response = service.client.post(
        "/v1/score", json={"posts": [{"text": flagged_texts[2]}], "store": False}, headers=auth(ana)
    )
    assert response.json()["results"][0]["flagged"] is True
    assert service.client.get("/v1/reviews", headers=auth(ana)).json()["items"] == []


def test_queue_filters_ordering_and_cursor_pagination(service, flagged_texts):
    ana = service.key("analyst", "ana")
    posts = [
        {"text": t, "platform": "x" if i % 2 else "whatsapp", "region": "Riau"}
        for i, t in enumerate(flagged_texts)
    ]
    results = service.client.post("/v1/score", json={"posts": posts}, headers=auth(ana)).json()["results"]
    seen, cursor = [], None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = service.client.get("/v1/reviews", params=params, headers=auth(ana)).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(results) == len({i["id"] for i in seen})
    scores = [i["suggestion"]["score"] for i in seen]
    assert scores == sorted(scores, reverse=True)
    by_uncertainty = service.client.get(
        "/v1/reviews", params={"order": "uncertainty", "limit": 100}, headers=auth(ana)
    ).json()["items"]
    gaps = [abs(i["suggestion"]["score"] - i["suggestion"]["threshold"]) for i in by_uncertainty]
    assert gaps == sorted(gaps)
    only_x = service.client.get("/v1/reviews", params={"platform": "x"}, headers=auth(ana)).json()["items"]
    assert only_x and all(i["platform"] == "x" for i in only_x)
    high = service.client.get("/v1/reviews", params={"min_score": 0.97}, headers=auth(ana)).json()["items"]
    assert all(i["suggestion"]["score"] >= 0.97 for i in high)
    bad = service.client.get("/v1/reviews", params={"cursor": "not-a-cursor"}, headers=auth(ana))
    assert bad.status_code == 422 and "invalid cursor" in bad.json()["detail"]


def test_role_boundaries(service):
    ana, sup = service.key("analyst", "ana"), service.key("supervisor", "sri")
    c = service.client
    assert c.post("/v1/score", json={"posts": [{"text": "halo"}]}).status_code == 401
    assert "missing API key" in c.get("/v1/reviews").json()["detail"]
    assert c.get("/v1/reviews", headers=auth("netra_wrong")).status_code == 401
    assert c.get("/v1/labels/export", headers=auth(ana)).status_code == 403
    assert "needs the supervisor role" in c.get("/v1/labels/export", headers=auth(ana)).json()["detail"]
    assert c.get("/v1/labels/export", headers=auth(sup)).status_code == 200
    assert c.post("/v1/admin/keys", json={"role": "admin", "name": "x"}, headers=auth(sup)).status_code == 403
    assert c.get("/v1/admin/keys", headers=auth(ana)).status_code == 403
    keys = c.get("/v1/admin/keys", headers=auth(service.admin)).json()
    ana_id = next(k["id"] for k in keys if k["name"] == "ana")
    assert c.delete(f"/v1/admin/keys/{ana_id}", headers=auth(service.admin)).status_code == 204
    assert c.get("/v1/reviews", headers=auth(ana)).status_code == 401  # revoked
    assert c.get("/healthz").status_code == 200 and c.get("/readyz").json()["ready"] is True
    assert c.get("/v1/model", headers=auth(sup)).json()["threshold"] > 0


def test_bad_input_gets_clear_4xx_and_stores_nothing(service, flagged_texts):
    ana = service.key("analyst", "ana")
    c = service.client
    headers = auth(ana)
    too_many = c.post("/v1/score", json={"posts": [{"text": "a"}] * 300}, headers=headers)
    assert too_many.status_code == 413 and "300 posts exceed the limit of 256" in too_many.json()["detail"]
    assert "by 44" in too_many.json()["detail"]
    too_long = c.post(
        "/v1/score", json={"posts": [{"text": flagged_texts[0]}, {"text": "x" * 5003}]}, headers=headers
    )
    assert (
        too_long.status_code == 422
        and "posts.1.text has 5003 characters, 3 over the limit of 5000" in too_long.json()["detail"]
    )
    blank = c.post(
        "/v1/score", json={"posts": [{"text": flagged_texts[0]}, {"text": "   "}]}, headers=headers
    )
    assert blank.status_code == 422 and "empty or only whitespace" in blank.json()["detail"]
    wrong_type = c.post("/v1/score", json={"posts": [{"text": 42}]}, headers=headers)
    assert wrong_type.status_code == 422 and "posts.0.text" in wrong_type.json()["detail"]
    assert c.post("/v1/score", json={"posts": []}, headers=headers).status_code == 422
    invalid_json = c.post(
        "/v1/score", content=b'{"posts": [', headers={**headers, "content-type": "application/json"}
    )
    assert invalid_json.status_code == 422 and "JSON" in invalid_json.json()["detail"]
    invalid_utf8 = c.post(
        "/v1/score",
        content=b'{"posts": [{"text": "\xff\xfe"}]}',
        headers={**headers, "content-type": "application/json"},
    )
    assert 400 <= invalid_utf8.status_code < 500
    huge = c.post(
        "/v1/score",
        content=b"{" + b" " * (2 * 1024 * 1024 + 10) + b"}",
        headers={**headers, "content-type": "application/json"},
    )
    assert huge.status_code == 413 and "exceeds the limit of 2097152 bytes by" in huge.json()["detail"]
    decision = c.post(
        "/v1/reviews/nope/decisions",
        json={"label": "partisan", "categories": ["ajakan_memilih"]},
        headers=headers,
    )
    assert decision.status_code == 404
    # None of the failed requests stored anything, and the server still serves.
    assert c.get("/v1/reviews", headers=headers).json()["items"] == []
    assert (
        c.post("/v1/score", json={"posts": [{"text": flagged_texts[0]}]}, headers=headers).status_code == 200
    )
    assert len(c.get("/v1/reviews", headers=headers).json()["items"]) == 1


def test_neutral_decisions_carry_their_lookalike_into_the_export(service, flagged_texts):
    ana, sup = service.key("analyst", "ana"), service.key("supervisor", "sri")
    post_id = service.score_one(flagged_texts[5], ana)
    url = f"/v1/reviews/{post_id}/decisions"
    bad = service.client.post(url, json={"label": "neutral", "lookalike": "gosip"}, headers=auth(ana))
    assert bad.status_code == 422 and "unknown lookalike" in bad.json()["detail"]
    assert (
        service.client.post(
            url, json={"label": "neutral", "lookalike": "pelaporan"}, headers=auth(ana)
        ).status_code
        == 201
    )
    item = service.client.get(f"/v1/reviews/{post_id}", headers=auth(ana)).json()
    assert item["label_lookalike"] == "pelaporan" and item["decisions"][0]["lookalike"] == "pelaporan"
    (row,) = [
        json.loads(line)
        for line in service.client.get("/v1/labels/export", headers=auth(sup)).text.splitlines()
    ]
    assert row["label"] == "neutral" and row["lookalike"] == "pelaporan"


def test_decision_validation(service, flagged_texts):
    ana = service.key("analyst", "ana")
    post_id = service.score_one(flagged_texts[3], ana)
    url = f"/v1/reviews/{post_id}/decisions"
    assert service.client.post(url, json={"label": "partisan"}, headers=auth(ana)).status_code == 422
    unknown = service.client.post(url, json={"label": "partisan", "categories": ["hoaks"]}, headers=auth(ana))
    assert unknown.status_code == 422 and "unknown categories" in unknown.json()["detail"]
    assert service.client.post(url, json={"label": "maybe"}, headers=auth(ana)).status_code == 422


def test_metrics_docs_and_web_page(service, flagged_texts):
    ana = service.key("analyst", "ana")
    posts = [{"text": flagged_texts[0]}, {"text": flagged_texts[1]}, {"text": "makan siang"}]
    results = service.client.post("/v1/score", json={"posts": posts}, headers=auth(ana)).json()["results"]
    flagged = sum(r["flagged"] for r in results)
    metrics = service.client.get("/metrics").text
    assert "netra_posts_scored_total 3.0" in metrics
    assert f'netra_queue_items{{status="pending"}} {float(flagged)}' in metrics
    assert f"netra_flag_rate {flagged / 3}" in metrics
    assert "netra_request_seconds_bucket" in metrics
    assert service.client.get("/docs").status_code == 200
    assert "/v1/score" in service.client.get("/openapi.json").json()["paths"]
    assert "Periksa unggahan" in service.client.get("/").text


def test_refuses_to_start_on_a_public_address_without_keys(tmp_path, linear_model):
    app = create_app(Settings(home=tmp_path / "h", host="0.0.0.0"), model=linear_model)
    with pytest.raises(StartupError, match=r"refusing to start on 0\.0\.0\.0"), TestClient(app):
        pass
    open_app = create_app(Settings(home=tmp_path / "h2", host="0.0.0.0", auth="disabled"), model=linear_model)
    with TestClient(open_app) as client:
        assert client.get("/v1/reviews").status_code == 200


def test_audit_log_records_decisions_exports_keys_and_model(service, flagged_texts):
    from sqlalchemy import select

    from netra.serving.tables import AuditEntry

    ana, sup = service.key("analyst", "ana"), service.key("supervisor", "sri")
    post_id = service.score_one(flagged_texts[4], ana)
    service.client.post(f"/v1/reviews/{post_id}/decisions", json={"label": "neutral"}, headers=auth(ana))
    service.client.get("/v1/labels/export", headers=auth(sup))
    with service.app.state.netra.sessions() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        actions = [e.action for e in entries]
        decision = next(e for e in entries if e.action == "decision.create")
        assert decision.before["status"] == "pending" and decision.after["status"] == "decided"
        assert decision.actor.startswith("ana")
    for action in ("key.create", "model.activate", "settings.change", "decision.create", "labels.export"):
        assert action in actions
