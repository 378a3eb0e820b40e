"""Prometheus metrics, one registry per app (so several apps in one process do not clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from netra.serving.tables import ReviewItem


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "netra_requests", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "netra_request_seconds",
            "HTTP request latency",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.scored = Counter("netra_posts_scored", "Posts scored", registry=self.registry)
        self.flagged = Counter("netra_posts_flagged", "Posts flagged", registry=self.registry)

    def attach_queue(self, sessions) -> None:
        metrics = self

        class QueueCollector:
            def collect(self):
                flag_rate = GaugeMetricFamily("netra_flag_rate", "Share of scored posts flagged since start")
                scored = metrics.scored._value.get()
                flag_rate.add_metric([], metrics.flagged._value.get() / scored if scored else 0.0)
                yield flag_rate
                sizes = GaugeMetricFamily(
                    "netra_queue_items", "Review queue items by status", labels=["status"]
                )
                try:
                    with sessions() as session:
                        counts = dict(
                            session.execute(
                                select(ReviewItem.status, func.count()).group_by(ReviewItem.status)
                            ).all()
                        )
                except Exception:
                    counts = {}
                for status in ("pending", "decided", "conflict"):
                    sizes.add_metric([status], counts.get(status, 0))
                yield sizes

        self.registry.register(QueueCollector())
