"""The scan report: one self-contained HTML page in Bahasa Indonesia, charts embedded as PNG."""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from netra.data.schema import CATEGORY_NAMES_ID
from netra.scan.aggregates import Aggregates


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _charts(agg: Aggregates) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts = {}
    if agg.categories:
        items = sorted(agg.categories.items(), key=lambda kv: kv[1])
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.barh([CATEGORY_NAMES_ID.get(k, k) for k, _ in items], [v for _, v in items], color="#a01818")
        ax.set_xlabel("unggahan ditandai")
        ax.set_title("Unggahan ditandai per kategori")
        charts["categories"] = _png(fig)
    days = sorted(d for d in agg.days_scored if d[:4].isdigit())
    if len(days) >= 2:
        rates = [100 * agg.days_flagged.get(d, 0) / agg.days_scored[d] for d in days]
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.plot(days, rates, marker="o", color="#1d4e89")
        ax.set_ylabel("% ditandai")
        ax.set_title("Tingkat penandaan per hari")
        step = max(1, len(days) // 10)
        ax.set_xticks(
            range(0, len(days), step), [days[i] for i in range(0, len(days), step)], rotation=45, ha="right"
        )
        charts["days"] = _png(fig)
    return charts


def _highlight(text: str, evidence: list[dict[str, Any]]) -> str:
    out, cursor = [], 0
    for span in sorted(evidence, key=lambda e: e["start"]):
        if span["start"] < cursor or span["end"] > len(text):
            continue
        out.append(html.escape(text[cursor : span["start"]]))
        out.append(
            f'<mark title="bobot {span["weight"]:.2f}">{html.escape(text[span["start"] : span["end"]])}</mark>'
        )
        cursor = span["end"]
    out.append(html.escape(text[cursor:]))
    return "".join(out)


def render_report(agg: Aggregates, summary: dict[str, Any]) -> str:
    charts = _charts(agg)
    rate = 100 * agg.flagged / agg.scored if agg.scored else 0.0
    rows = []
    for name, counts in agg.per_feed.items():
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{counts['read']:,}</td><td>{counts['scored']:,}</td>"
            f"<td>{counts['rejected']:,}</td><td>{counts['flagged']:,}</td></tr>"
        )
    accounts = "".join(
        f"<tr><td>{html.escape(a)}</td><td>{n:,}</td></tr>" for a, n in agg.accounts.most_common(15)
    )
    reasons = "".join(
        f"<tr><td>{html.escape(r)}</td><td>{n:,}</td></tr>"
        for r, n in sorted(agg.reject_reasons.items(), key=lambda kv: -kv[1])
    )
    top = "".join(
        f"<div class='post'><div class='meta'>skor {score:.2f} · baris {row} · {html.escape(str(author or 'tanpa akun'))} · "
        f"id {html.escape(str(post_id))}</div><p>{_highlight(text, evidence)}</p></div>"
        for score, row, text, evidence, author, post_id in sorted(agg.top, key=lambda e: -e[0])
    )
    stages = ""
    if agg.stage_counts:
        stages = (
            "<p>Tahap penilaian: "
            + ", ".join(f"{html.escape(k)}: {v:,} unggahan" for k, v in agg.stage_counts.items())
            + "</p>"
        )
    images = "".join(f"<img alt='{k}' src='{v}'>" for k, v in charts.items())
    reconciled = "cocok" if summary.get("reconciled") else "TIDAK COCOK"
    return f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Laporan pemindaian Netra</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 62rem; margin: 2rem auto; padding: 0 1rem; color: #1d2733; }}
table {{ border-collapse: collapse; margin: .5rem 0 1.2rem; }} td, th {{ border: 1px solid #d5dbe3; padding: .3rem .6rem; text-align: left; }}
.post {{ border: 1px solid #d5dbe3; border-radius: 6px; padding: .5rem .8rem; margin: .6rem 0; }}
.meta {{ color: #5a6675; font-size: .85rem; }} mark {{ background: #ffe08a; }} img {{ max-width: 100%; }}
.big {{ font-size: 1.4rem; font-weight: 600; }}
</style></head><body>
<h1>Laporan pemindaian Netra</h1>
<p>Dibuat {datetime.now(UTC):%Y-%m-%d %H:%M} UTC dengan model <code>{html.escape(summary["model_version"])}</code>
(ambang {summary["threshold"]:.3f}). Skor model adalah <em>saran</em>: setiap unggahan yang ditandai perlu ditinjau analis.</p>
<h2>Ringkasan</h2>
<p class="big">{agg.read:,} baris dibaca · {agg.scored:,} dinilai · {agg.rejected:,} ditolak · {agg.flagged:,} ditandai ({rate:.1f}%)</p>
<p>Rekonsiliasi: baris dibaca = dinilai + ditolak: <strong>{reconciled}</strong>.</p>
{stages}
<table><tr><th>Berkas</th><th>Dibaca</th><th>Dinilai</th><th>Ditolak</th><th>Ditandai</th></tr>{"".join(rows)}</table>
<h2>Kategori dan waktu</h2>
{images or "<p>Belum ada unggahan yang ditandai.</p>"}
<h2>Akun dengan unggahan ditandai terbanyak</h2>
<table><tr><th>Akun</th><th>Unggahan ditandai</th></tr>{accounts or "<tr><td colspan=2>–</td></tr>"}</table>
<h2>Baris yang ditolak</h2>
<table><tr><th>Alasan</th><th>Jumlah</th></tr>{reasons or "<tr><td colspan=2>Tidak ada</td></tr>"}</table>
<h2>Unggahan dengan skor tertinggi</h2>
<p>Bagian teks yang paling mendorong skor ditandai <mark>kuning</mark>.</p>
{top or "<p>Tidak ada.</p>"}
</body></html>
"""


def write_report(path: Path, agg: Aggregates, summary: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(agg, summary), encoding="utf-8")
