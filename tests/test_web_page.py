"""The analysts' web page's own JavaScript, run in Node: evidence is highlighted at the characters the
model found, in posts full of emoji as real posts are; and the whole page, in jsdom against a live server,
does what an analyst does with it (score posts, work the review queue, record a decision)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from netra.serving.routers.web import PAGE

BEGIN = "// -- helpers without the page"
END = "// -- end of helpers --"
EMOJI = re.compile("[\U0001f300-\U0001faff]")


def shown_spans(evidence: list[dict]) -> list[dict]:
    """The spans the page marks, in text order: an evidence span overlapping an earlier one is skipped."""
    spans, cursor = [], 0
    for e in sorted(evidence, key=lambda e: e["start"]):
        if e["start"] >= cursor:
            spans.append(e)
            cursor = e["end"]
    return spans


def run_page_helpers(call: str) -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    page = PAGE.read_text(encoding="utf-8")
    helpers = page[page.index(BEGIN) : page.index(END)]
    done = subprocess.run(
        [node, "-e", f"{helpers}\nprocess.stdout.write({call});"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    "text",
    [
        "🎉🎉🎉 Ayo coblos nomor 2 ya bapak ibu 🙏 menangkan paslon kita #menang",
        "Ayo dukung Pak Darmo nomor 3 👍🏽👍🏽, jangan lupa datang ke TPS <b>besok</b> & ajak keluarga",
    ],
)
def test_evidence_is_highlighted_at_the_characters_the_model_found(linear_model, text):
    evidence = [e.__dict__ for e in linear_model.predict([text], evidence="all")[0].evidence]
    assert evidence
    out = run_page_helpers(f"highlight({json.dumps(text)}, {json.dumps(evidence)})")
    marked = re.findall(r"<mark title='bobot -?[0-9.]+'>(.*?)</mark>", out)
    spans = shown_spans(evidence)
    assert marked == [
        html.escape(text[e["start"] : e["end"]], quote=True).replace("&#x27;", "&#39;") for e in spans
    ]
    assert [html.unescape(m) for m in marked] == [e["text"] for e in spans]
    # Nothing lost or doubled around the marks, and the post's own markup stays text.
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text
    assert "<b>" not in out


WEB_TESTS = Path(__file__).resolve().parent / "web"


@pytest.fixture
def live_server(tmp_path, linear_model):
    """The real app on a real port (the page's fetch calls need one), with an analyst's key."""
    import socket
    import threading
    import time

    import httpx
    import uvicorn

    from netra.serving.app import create_app
    from netra.serving.settings import Settings

    app = create_app(Settings(home=tmp_path / "home", host="127.0.0.1"), model=linear_model)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    admin = {"Authorization": f"Bearer {app.state.netra.bootstrap_key}"}
    made = httpx.post(f"{base}/v1/admin/keys", json={"role": "analyst", "name": "ana"}, headers=admin)
    assert made.status_code == 201, made.text
    yield base, made.json()["key"]
    server.should_exit = True
    thread.join(timeout=10)


def test_an_analyst_scores_posts_and_decides_one_on_the_page(live_server, linear_model, corpus_rows):
    node = shutil.which("node")
    if node is None or not (WEB_TESTS / "node_modules" / "jsdom").is_dir():
        pytest.skip("node and tests/web/node_modules (make test installs them with npm) are needed")
    import httpx

    base, key = live_server
    partisan = [r["text"] for r in corpus_rows if r["split"] == "test" and r["label"] == "partisan"]
    predictions = linear_model.predict(partisan)
    flagged = next(
        (t, p) for t, p in zip(partisan, predictions, strict=True) if p.flagged and EMOJI.search(t)
    )
    everyday = "Makan siang bareng keluarga di warung sate, enak banget 😋"
    done = subprocess.run(
        [node, str(WEB_TESTS / "drive_page.mjs"), base, key, json.dumps([flagged[0], everyday])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)

    first, second = page["scored"]
    assert first["verdict"].startswith("Ditandai") and second["verdict"].startswith("Tidak ditandai")
    assert first["text"] == flagged[0] and second["text"] == everyday
    shown = [e["text"] for e in shown_spans([e.__dict__ for e in flagged[1].evidence])]
    assert first["marked"] == shown and shown

    item = page["queue_item"]
    assert item["saved"] == "Tersimpan: partisan"
    assert len(item["checked_categories"]) == 1  # the suggestion's top category, pre-checked
    assert page["stored_key"]
    stored = httpx.get(f"{base}/v1/reviews/{item['id']}", headers={"Authorization": f"Bearer {key}"}).json()
    assert stored["text"] == flagged[0] and stored["label"] == "partisan"
    assert stored["label_categories"] == item["checked_categories"]
    assert [d["note"] for d in stored["decisions"]] == ["dicoba dari halaman web"]
