"""The promotion gate: a candidate replaces the active model only if, on the frozen test split, it is not
worse. A comparison report is written either way.

Rules (all on the written posts of the frozen test split, both models evaluated now, side by side):
- partisan F1 not below the active model's by more than 0.01;
- recall at the operating threshold not lower by more than 0.02;
- camp-symmetry gap (mean |Δscore| under name/number swaps) no worse, up to 0.005 of measurement noise.
`--force` overrides with a reason, which the caller records in the audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netra.data.corpus import DEFAULT_CORPUS, load_records
from netra.training.evaluation import evaluate
from netra.training.registry import Registry, RegistryError

F1_TOLERANCE = 0.01
RECALL_TOLERANCE = 0.02
SYMMETRY_TOLERANCE = 0.005


@dataclass
class GateResult:
    candidate: str
    active: str | None
    accepted: bool
    reasons: list[str] = field(default_factory=list)
    report: Path | None = None
    promoted: bool = False
    forced: bool = False


def frozen_test_rows(corpus: Path = DEFAULT_CORPUS) -> list[dict[str, Any]]:
    return [r for r in load_records(corpus) if r["split"] == "test" and r["origin"] == "written"]


def _delta(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "–"
    return f"{b - a:+.3f}"


def compare(registry: Registry, candidate: str, active: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    from netra.model import Classifier

    models = {name: Classifier.from_pretrained(registry.path(name)) for name in (active, candidate)}
    texts = [r["text"] for r in rows]
    preds = {name: model.predict(texts, evidence="none") for name, model in models.items()}
    metrics = {name: evaluate(model, rows, predictions=preds[name]) for name, model in models.items()}
    flips = [
        {
            "id": row["id"],
            "label": row["label"],
            "text": row["text"][:300],
            "active_score": a.score,
            "candidate_score": c.score,
            "active_flagged": a.flagged,
            "candidate_flagged": c.flagged,
        }
        for row, a, c in zip(rows, preds[active], preds[candidate], strict=True)
        if a.flagged != c.flagged
    ]
    return {"active": active, "candidate": candidate, "metrics": metrics, "flips": flips}


def check(comparison: dict[str, Any]) -> list[str]:
    """Reasons to refuse the candidate (empty: accepted)."""
    active = comparison["metrics"][comparison["active"]]
    candidate = comparison["metrics"][comparison["candidate"]]
    reasons = []
    f1_a, f1_c = active["partisan"]["f1"], candidate["partisan"]["f1"]
    if f1_c < f1_a - F1_TOLERANCE:
        reasons.append(
            f"partisan F1 {f1_c:.3f} is more than {F1_TOLERANCE} below the active model's {f1_a:.3f}"
        )
    r_a, r_c = active["partisan"]["recall"], candidate["partisan"]["recall"]
    if r_c < r_a - RECALL_TOLERANCE:
        reasons.append(f"recall {r_c:.3f} is more than {RECALL_TOLERANCE} below the active model's {r_a:.3f}")
    s_a = active["camp_symmetry"]["mean_abs_delta"]
    s_c = candidate["camp_symmetry"]["mean_abs_delta"]
    if s_c > s_a + SYMMETRY_TOLERANCE:
        reasons.append(f"camp-symmetry gap {s_c:.4f} is worse than the active model's {s_a:.4f}")
    return reasons


def render_report(comparison: dict[str, Any], reasons: list[str]) -> str:
    a_name, c_name = comparison["active"], comparison["candidate"]
    a, c = comparison["metrics"][a_name], comparison["metrics"][c_name]
    verdict = "ACCEPTED" if not reasons else "REFUSED: " + "; ".join(reasons)
    lines = [
        f"# Promotion gate: `{c_name}` vs active `{a_name}`",
        "",
        f"**{verdict}**",
        "",
        f"Frozen test split, {a['n']} written posts.",
        "",
        "| metric | active | candidate | Δ |",
        "|---|---|---|---|",
    ]
    for key in ("precision", "recall", "f1", "pr_auc"):
        lines.append(
            f"| partisan {key} | {a['partisan'][key]:.3f} | {c['partisan'][key]:.3f} | {_delta(a['partisan'][key], c['partisan'][key])} |"
        )
    lines.append(f"| ECE | {a['ece']:.3f} | {c['ece']:.3f} | {_delta(a['ece'], c['ece'])} |")
    sa, sc = a["camp_symmetry"]["mean_abs_delta"], c["camp_symmetry"]["mean_abs_delta"]
    lines += [
        f"| camp symmetry mean abs Δ | {sa:.4f} | {sc:.4f} | {_delta(sa, sc)} |",
        "",
        "## Per category (F1)",
        "",
    ]
    lines += ["| category | active | candidate | Δ |", "|---|---|---|---|"]
    for slug in a["categories"]:
        fa, fc = a["categories"][slug]["f1"], c["categories"][slug]["f1"]
        lines.append(f"| {slug} | {fa:.3f} | {fc:.3f} | {_delta(fa, fc)} |")
    lines += [
        "",
        "## False-positive rate per look-alike",
        "",
        "| look-alike | active | candidate |",
        "|---|---|---|",
    ]
    for slug in a["lookalikes"]:
        lines.append(f"| {slug} | {a['lookalikes'][slug]['fpr']:.3f} | {c['lookalikes'][slug]['fpr']:.3f} |")
    lines += ["", f"## Posts whose decision flips ({len(comparison['flips'])})", ""]
    for flip in comparison["flips"][:100]:
        direction = "newly flagged" if flip["candidate_flagged"] else "no longer flagged"
        lines.append(
            f"- `{flip['id']}` ({flip['label']}, {direction}: {flip['active_score']:.2f} → {flip['candidate_score']:.2f}): "
            f"{flip['text'][:160]!r}"
        )
    return "\n".join(lines) + "\n"


def run_gate(registry: Registry, candidate: str, rows: list[dict[str, Any]] | None = None) -> GateResult:
    active = registry.active
    if active is None:
        raise RegistryError("no active model to compare with")
    if candidate == active:
        raise RegistryError(f"{candidate} is already the active model")
    registry.path(candidate)
    comparison = compare(registry, candidate, active, rows if rows is not None else frozen_test_rows())
    reasons = check(comparison)
    registry.reports.mkdir(parents=True, exist_ok=True)
    report = registry.reports / f"{candidate}-vs-{active}.md"
    report.write_text(render_report(comparison, reasons), encoding="utf-8")
    report.with_suffix(".json").write_text(
        json.dumps({**comparison, "reasons": reasons}, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return GateResult(candidate, active, not reasons, reasons, report)


def promote(
    registry: Registry,
    candidate: str,
    by: str,
    force: bool = False,
    reason: str | None = None,
    rows: list[dict[str, Any]] | None = None,
) -> GateResult:
    """Gate the candidate and activate it if accepted (or forced, with a reason)."""
    if force and not (reason and reason.strip()):
        raise RegistryError("--force needs a --reason")
    result = run_gate(registry, candidate, rows)
    if result.accepted or force:
        registry.activate(candidate, by, action="promote", reason=reason if force else None)
        result.promoted = True
        result.forced = force and not result.accepted
    return result
