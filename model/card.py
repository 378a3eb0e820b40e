"""The model card (`README.md`) of a model folder, written from its `netra` metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from netra.data.schema import CATEGORY_NAMES_ID, LOOKALIKE_NAMES_ID


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "–" if value is None else str(value)


def render_model_card(meta: dict[str, Any]) -> str:
    metrics = meta.get("metrics") or {}
    test = metrics.get("test") or {}
    lines = [
        "---",
        "language: id",
        "license: apache-2.0",
        "library_name: netra" if meta.get("kind") == "linear" else "library_name: transformers",
        "pipeline_tag: text-classification",
        "tags: [netra, asn-neutrality, indonesian, bawaslu]",
        "---",
        "",
        f"# Netra model `{meta.get('version', 'unversioned')}`",
        "",
        "Scores Indonesian social-media posts for **partisanship by civil servants (ASN)**: the calibrated "
        "probability that a post campaigns for, promotes, supports or attacks an election contestant, "
        "eight violation categories and evidence spans. It is a triage aid for Bawaslu analysts, "
        "who make every decision; it is not a verdict on a person.",
        "",
        "| | |",
        "|---|---|",
        f"| kind | `{meta.get('kind')}` |",
        f"| base model | `{meta.get('base_model', '–')}` |",
        f"| parent version | `{meta.get('parent', '–')}` |",
        f"| training data | `{meta.get('data_hash', '–')}` ({meta.get('train_size', '–')} train posts) |",
        f"| normaliser | version {meta.get('normalizer', {}).get('version', '–')} |",
        f"| calibration | {meta.get('calibration', {}).get('method', '–')} (fitted on validation) |",
        f"| threshold | {_fmt(meta.get('threshold'))} — {meta.get('operating_point', '')} |",
        f"| created | {meta.get('created_at', '–')} |",
        "",
    ]
    if test:
        p = test.get("partisan", {})
        lines += [
            f"## Evaluation on the frozen test split ({test.get('n', '–')} written posts)",
            "",
            "| metric | value |",
            "|---|---|",
            f"| precision | {_fmt(p.get('precision'))} |",
            f"| recall | {_fmt(p.get('recall'))} |",
            f"| F1 | {_fmt(p.get('f1'))} |",
            f"| PR-AUC | {_fmt(p.get('pr_auc'))} |",
            f"| expected calibration error (10 bins) | {_fmt(test.get('ece'))} |",
            "",
            "### Per category (main and secondary categories of partisan posts)",
            "",
            "| category | nama | support | precision | recall | F1 |",
            "|---|---|---|---|---|---|",
        ]
        for slug, m in (test.get("categories") or {}).items():
            lines.append(
                f"| `{slug}` | {CATEGORY_NAMES_ID.get(slug, slug)} | {m.get('support')} | "
                f"{_fmt(m.get('precision'))} | {_fmt(m.get('recall'))} | {_fmt(m.get('f1'))} |"
            )
        lines += [
            "",
            "### False-positive rate per neutral look-alike",
            "",
            "| look-alike | nama | posts | false positives | FPR |",
            "|---|---|---|---|---|",
        ]
        for slug, m in (test.get("lookalikes") or {}).items():
            lines.append(
                f"| `{slug}` | {LOOKALIKE_NAMES_ID.get(slug, slug)} | {m.get('n')} | {m.get('false_positives')} | "
                f"{_fmt(m.get('fpr'))} |"
            )
        sym = test.get("camp_symmetry") or {}
        lines += [
            "",
            "### Camp symmetry",
            "",
            "For every partisan test post, ballot numbers and contestant names are swapped for others "
            f"({sym.get('variants', '–')} variants per post) and the score change is measured. A model that "
            "prefers one camp shows large changes.",
            "",
            f"- posts with a camp marker: {sym.get('posts', '–')}",
            f"- mean |Δscore|: {_fmt(sym.get('mean_abs_delta'))}",
            f"- max |Δscore|: {_fmt(sym.get('max_abs_delta'))}",
            f"- flag decisions changed: {sym.get('flips', '–')}",
            "",
            "![precision-recall curve](pr_curve.png)",
            "![reliability diagram](reliability.png)",
            "",
        ]
    lines += [
        "## Intended use and limits",
        "",
        "- Input: the text of one post (status, caption, tweet, forward or comment). Images are not seen: "
        "a photo with a hand sign and a bland caption will be missed.",
        "- The model judges content only. Whether the author is an ASN comes from account verification.",
        "- Trained on a written corpus (see `data/DATASHEET.md`); real posts differ. Every flag goes to an "
        "analyst; the model's output is a suggestion, the analyst's decision is what counts.",
        "- Ballot numbers and contestant names are masked by the normaliser, so the model cannot prefer a camp "
        "by its number or name; hashtags and nicknames are not masked.",
    ]
    if meta.get("kind") == "linear":
        lines.append(
            "- The linear model also carries an election-topic screen (is the post about an election at "
            "all?). Only the scan cascade uses it, to decide which posts the transformer must see; it never "
            "changes a score."
        )
    lines.append("")
    return "\n".join(lines)


def write_model_card(folder: Path, meta: dict[str, Any]) -> None:
    (folder / "README.md").write_text(render_model_card(meta), encoding="utf-8")
