"""Running totals of a scan: reconciliation counts and what the HTML report shows. JSON-serialisable,
so they travel in the checkpoint and a resumed scan reports the whole feed."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

TOP_POSTS = 30


@dataclass
class Aggregates:
    read: int = 0
    scored: int = 0
    rejected: int = 0
    flagged: int = 0
    per_feed: dict[str, dict[str, int]] = field(default_factory=dict)
    reject_reasons: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)  # main suggested category of flagged posts
    accounts: Counter = field(default_factory=Counter)  # flagged posts per author
    days_scored: Counter = field(default_factory=Counter)
    days_flagged: Counter = field(default_factory=Counter)
    top: list[list[Any]] = field(default_factory=list)  # min-heap of [score, row, text, evidence, author, id]
    stage_counts: Counter = field(default_factory=Counter)

    def feed(self, name: str) -> dict[str, int]:
        return self.per_feed.setdefault(name, {"read": 0, "scored": 0, "rejected": 0, "flagged": 0})

    def add_reject(self, feed: str, reason: str) -> None:
        self.read += 1
        self.rejected += 1
        counts = self.feed(feed)
        counts["read"] += 1
        counts["rejected"] += 1
        self.reject_reasons[reason.split(":")[0].split(" (")[0][:60]] += 1

    def add_scored(self, feed: str, row: dict[str, Any], text: str) -> None:
        self.read += 1
        self.scored += 1
        counts = self.feed(feed)
        counts["read"] += 1
        counts["scored"] += 1
        day = str(row.get("posted_at") or "")[:10] or "tanpa tanggal"
        self.days_scored[day] += 1
        if not row["flagged"]:
            return
        self.flagged += 1
        counts["flagged"] += 1
        self.days_flagged[day] += 1
        categories = row["categories"]
        self.categories[max(categories, key=categories.get)] += 1
        self.accounts[str(row.get("author") or "(tanpa akun)")] += 1
        entry = [row["score"], row["row"], text[:1000], row["evidence"], row.get("author"), row["id"]]
        if len(self.top) < TOP_POSTS:
            heapq.heappush(self.top, entry)
        elif entry[0] > self.top[0][0]:
            heapq.heapreplace(self.top, entry)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "scored": self.scored,
            "rejected": self.rejected,
            "flagged": self.flagged,
            "per_feed": self.per_feed,
            "reject_reasons": dict(self.reject_reasons),
            "categories": dict(self.categories),
            "accounts": dict(self.accounts),
            "days_scored": dict(self.days_scored),
            "days_flagged": dict(self.days_flagged),
            "top": self.top,
            "stage_counts": dict(self.stage_counts),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Aggregates:
        counters = ("reject_reasons", "categories", "accounts", "days_scored", "days_flagged", "stage_counts")
        values = {k: Counter(v) if k in counters else v for k, v in data.items()}
        out = cls(**values)
        heapq.heapify(out.top)
        return out
