"""The analysts' web page's own JavaScript, run in Node: evidence is highlighted at the characters the
model found, in posts full of emoji as real posts are."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from netra.serving.routers.web import PAGE

BEGIN = "// -- helpers without the page"
END = "// -- end of helpers --"


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
    spans, cursor = [], 0
    for e in sorted(evidence, key=lambda e: e["start"]):
        if e["start"] >= cursor:  # overlapping spans are shown once
            spans.append(e)
            cursor = e["end"]
    assert marked == [
        html.escape(text[e["start"] : e["end"]], quote=True).replace("&#x27;", "&#39;") for e in spans
    ]
    assert [html.unescape(m) for m in marked] == [e["text"] for e in spans]
    # Nothing lost or doubled around the marks, and the post's own markup stays text.
    assert html.unescape(re.sub(r"</?mark[^>]*>", "", out)) == text
    assert "<b>" not in out
