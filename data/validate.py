"""`netra data validate`: checks the corpus against the guideline's schema and the v1 thresholds."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netra.data.camps import ballot_numbers, contestant_names
from netra.data.corpus import CorpusError, check_labeled_row, read_jsonl
from netra.data.neardup import dedup_key, near_duplicate_pairs
from netra.data.schema import (
    AUGMENT_METHODS,
    CATEGORIES,
    CONTESTS,
    FIELDS,
    LOOKALIKES,
    PLATFORMS,
    REGISTERS,
    SPLITS,
)

_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2190-\u21ff\u2b00-\u2bff]")
_HASHTAG = re.compile(r"#\w+")
_MENTION = re.compile(r"(?<!\w)@\w+")
_URL = re.compile(r"https?://\S+|\bwww\.\S+|\b[\w-]+\.(?:go\.id|com|id|co\.id|ly)/\S*")


@dataclass(frozen=True)
class Thresholds:
    min_written: int = 3000
    min_label_share: float = 0.40
    min_per_category: int = 150
    min_per_lookalike: int = 150
    min_pelaporan: int = 100
    min_slang_share: float = 0.20
    min_regional_share: float = 0.10
    min_long_posts: int = 30  # posts of 150+ words
    long_words: int = 150
    max_short_words: int = 5  # at least one post this short
    near_dup_jaccard: float = 0.7
    split_shares: tuple[float, float, float] = (0.8, 0.1, 0.1)
    split_tolerance: float = 0.02
    # Ballot number n: |partisan - neutral| / (partisan + neutral) over posts mentioning n.
    max_number_imbalance: float = 0.15
    # A name/party mentioned in at least `camp_min_count` posts: partisan share within [lo, hi].
    camp_min_count: int = 8
    camp_share_bounds: tuple[float, float] = (0.2, 0.8)
    min_distinct_names: int = 200


@dataclass
class Report:
    stats: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _words(text: str) -> int:
    return len(text.split())


def compute_stats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The counts the datasheet reports. Counts of written posts unless the key says otherwise."""
    written = [r for r in rows if r.get("origin") == "written"]
    lengths = sorted(_words(r["text"]) for r in written)
    n = len(written) or 1
    first_category = Counter(
        r["categories"][0] for r in written if r["label"] == "partisan" and r["categories"]
    )
    any_category = Counter(c for r in written for c in r.get("categories") or [])
    numbers: dict[str, Counter] = {str(k): Counter() for k in range(1, 7)}
    names: dict[str, Counter] = {}
    for r in rows:
        for value in {m.value for m in ballot_numbers(r["text"])}:
            numbers[value][r["label"]] += 1
        for value in {m.value for m in contestant_names(r["text"])}:
            names.setdefault(value, Counter())[r["label"]] += 1

    def pct(count: int) -> float:
        return round(100 * count / n, 1)

    return {
        "rows": len(rows),
        "written": len(written),
        "augmented": len(rows) - len(written),
        "label": dict(Counter(r["label"] for r in written)),
        "label_all_rows": dict(Counter(r["label"] for r in rows)),
        "first_category": {c: first_category.get(c, 0) for c in CATEGORIES},
        "any_category": {c: any_category.get(c, 0) for c in CATEGORIES},
        "multi_category_posts": sum(1 for r in written if len(r.get("categories") or []) > 1),
        "lookalike": {k: sum(1 for r in written if r.get("lookalike") == k) for k in LOOKALIKES},
        "platform": {k: sum(1 for r in written if r.get("platform") == k) for k in PLATFORMS},
        "register": {k: sum(1 for r in written if r.get("register") == k) for k in REGISTERS},
        "contest": {k: sum(1 for r in written if r.get("contest") == k) for k in CONTESTS},
        "split": {k: sum(1 for r in rows if r.get("split") == k) for k in SPLITS},
        "split_written": {k: sum(1 for r in written if r.get("split") == k) for k in SPLITS},
        "words": {
            "min": lengths[0] if lengths else 0,
            "p10": lengths[len(lengths) // 10] if lengths else 0,
            "median": lengths[len(lengths) // 2] if lengths else 0,
            "p90": lengths[9 * len(lengths) // 10] if lengths else 0,
            "max": lengths[-1] if lengths else 0,
            "posts_le_10_words": sum(1 for x in lengths if x <= 10),
            "posts_ge_150_words": sum(1 for x in lengths if x >= 150),
        },
        "percent_slang": pct(sum(1 for r in written if r.get("register") == "slang")),
        "percent_regional_mix": pct(sum(1 for r in written if r.get("register") == "regional_mix")),
        "percent_with_emoji": pct(sum(1 for r in written if _EMOJI.search(r["text"]))),
        "percent_with_hashtag": pct(sum(1 for r in written if _HASHTAG.search(r["text"]))),
        "percent_with_mention": pct(sum(1 for r in written if _MENTION.search(r["text"]))),
        "percent_with_url": pct(sum(1 for r in written if _URL.search(r["text"]))),
        "distinct_names": len(names),
        "ballot_numbers": {
            k: {"partisan": v["partisan"], "neutral": v["neutral"]} for k, v in numbers.items()
        },
        "names": {k: dict(v) for k, v in names.items()},
    }


def validate_rows(rows: list[dict[str, Any]], t: Thresholds | None = None) -> Report:
    t = t or Thresholds()
    report = Report()
    fail = report.failures.append

    # 1. Schema and vocabularies, row by row.
    for number, row in enumerate(rows, start=1):
        where = f"record {number} (id {row.get('id', '?')})"
        for problem in check_labeled_row(row):
            fail(f"{where}: {problem}")
        extra = set(row) - set(FIELDS)
        if extra:
            fail(f"{where}: unexpected field(s) {', '.join(sorted(extra))}")
        for key, vocab in (("platform", PLATFORMS), ("register", REGISTERS), ("contest", CONTESTS)):
            if key in row and row[key] not in vocab:
                fail(f"{where}: unknown {key} {row[key]!r} (expected one of {', '.join(vocab)})")
        if row.get("label") == "partisan" and row.get("contest") == "none":
            fail(f"{where}: a partisan post needs a contest other than 'none'")
        origin = row.get("origin")
        if isinstance(origin, str) and origin != "written":
            parts = origin.split(":")
            if len(parts) != 3 or parts[0] != "augmented" or parts[1] not in AUGMENT_METHODS:
                fail(f"{where}: origin {origin!r} must be 'written' or 'augmented:<method>:<parent id>'")
        elif "origin" in row and origin != "written":
            fail(f"{where}: origin must be a string")
    if report.failures:
        return report  # the remaining checks assume well-formed rows

    # 2. Identity: unique ids, augmentation parents exist, stay in their parent's split.
    ids = Counter(r["id"] for r in rows)
    for value, count in ids.items():
        if count > 1:
            fail(f"id {value!r} is used by {count} records")
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        if r["origin"] != "written":
            parent_id = r["origin"].split(":", 2)[2]
            parent = by_id.get(parent_id)
            if parent is None:
                fail(f"id {r['id']}: augmentation parent {parent_id!r} does not exist")
            elif parent["origin"] != "written":
                fail(f"id {r['id']}: augmentation parent {parent_id!r} is not a written post")
            elif parent["split"] != r["split"]:
                fail(
                    f"id {r['id']}: split leakage, in {r['split']} but its parent {parent_id} is in {parent['split']}"
                )
            elif parent["label"] != r["label"]:
                fail(f"id {r['id']}: label differs from its parent {parent_id}")

    # 3. Exact duplicates across the whole corpus, near duplicates among written posts.
    seen: dict[str, str] = {}
    for r in rows:
        key = dedup_key(r["text"])
        if key in seen:
            fail(f"ids {seen[key]} and {r['id']}: identical text")
        else:
            seen[key] = r["id"]
    written = [r for r in rows if r["origin"] == "written"]
    for i, j, score in near_duplicate_pairs([r["text"] for r in written], t.near_dup_jaccard):
        a, b = written[i], written[j]
        leak = " (across splits)" if a["split"] != b["split"] else ""
        fail(f"ids {a['id']} and {b['id']}: near duplicates, 5-gram Jaccard {score:.2f}{leak}")

    # 4. Size, balance and diversity thresholds.
    stats = compute_stats(rows)
    report.stats = stats
    n = stats["written"]
    if n < t.min_written:
        fail(f"only {n} written posts, need at least {t.min_written}")
    for label in ("partisan", "neutral"):
        share = stats["label"].get(label, 0) / max(n, 1)
        if share < t.min_label_share:
            fail(f"label {label} is {share:.1%} of written posts, need at least {t.min_label_share:.0%}")
    for c, count in stats["first_category"].items():
        if count < t.min_per_category:
            fail(f"category {c} is the first category of {count} posts, need at least {t.min_per_category}")
    for k, count in stats["lookalike"].items():
        need = t.min_pelaporan if k == "pelaporan" else t.min_per_lookalike
        if count < need:
            fail(f"look-alike {k} has {count} posts, need at least {need}")
    if stats["percent_slang"] < 100 * t.min_slang_share:
        fail(
            f"slang register is {stats['percent_slang']}% of written posts, need {100 * t.min_slang_share:.0f}%"
        )
    if stats["percent_regional_mix"] < 100 * t.min_regional_share:
        fail(
            f"regional_mix register is {stats['percent_regional_mix']}% of written posts, "
            f"need {100 * t.min_regional_share:.0f}%"
        )
    if stats["words"]["posts_ge_150_words"] < t.min_long_posts:
        fail(
            f"{stats['words']['posts_ge_150_words']} posts of {t.long_words}+ words, need {t.min_long_posts}"
        )
    if stats["words"]["min"] > t.max_short_words:
        fail(f"shortest post has {stats['words']['min']} words, need one of at most {t.max_short_words}")
    for contest, count in stats["contest"].items():
        if count == 0:
            fail(f"contest {contest} does not occur")
    if stats["distinct_names"] < t.min_distinct_names:
        fail(f"{stats['distinct_names']} distinct contestant names/parties, need {t.min_distinct_names}")

    # 5. Splits: 80/10/10 and stratified.
    total = len(rows)
    for split, share in zip(SPLITS, t.split_shares, strict=True):
        actual = stats["split"][split] / max(total, 1)
        if abs(actual - share) > t.split_tolerance:
            fail(f"split {split} holds {actual:.1%} of rows, expected {share:.0%} ± {t.split_tolerance:.0%}")

    # 6. Camp symmetry: no ballot number or name may predict the label.
    for number, counts in stats["ballot_numbers"].items():
        p, q = counts["partisan"], counts["neutral"]
        if p + q and abs(p - q) / (p + q) > t.max_number_imbalance:
            fail(
                f"ballot number {number}: {p} partisan vs {q} neutral posts "
                f"(imbalance {abs(p - q) / (p + q):.2f} > {t.max_number_imbalance})"
            )
    lo, hi = t.camp_share_bounds
    for name, counts in stats["names"].items():
        total_name = sum(counts.values())
        if total_name >= t.camp_min_count:
            share = counts.get("partisan", 0) / total_name
            if not lo <= share <= hi:
                fail(
                    f"name {name!r}: {share:.0%} of its {total_name} posts are partisan, allowed {lo:.0%}-{hi:.0%}"
                )
    return report


def validate_file(path: str | Path, t: Thresholds | None = None) -> Report:
    try:
        rows = read_jsonl(path)
    except CorpusError as exc:
        report = Report()
        report.failures.append(str(exc))
        return report
    return validate_rows(rows, t)
