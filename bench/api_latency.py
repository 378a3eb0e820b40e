"""Scoring API latency and throughput against a real `netra serve` on loopback.

    .venv/bin/python bench/api_latency.py [--model DIR] [--requests 400] [--clients 1] [--batch-wait-ms 0]

Reports p50/p99 latency of single-post `/v1/score` calls (`--clients` concurrent clients, each sending
its requests one after another) and the throughput of 256-post requests, plus the server's peak RSS.
`store` is false, so the database is not part of the figure (the queue insert is measured separately
with --store)."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent


class Server:
    def __init__(
        self, model: Path, home: Path, batch_wait_ms: float = 0.0, extra_env: dict | None = None
    ) -> None:
        self.port = 8000 + random.randrange(1000, 3000)
        env = {
            **os.environ,
            "NETRA_HOME": str(home),
            "NETRA_MODEL": str(model),
            "NETRA_PORT": str(self.port),
            "NETRA_AUTH": "disabled",
            "NETRA_BATCH_WAIT_MS": str(batch_wait_ms),
            **(extra_env or {}),
        }
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/netra"), "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self.ps = psutil.Process(self.process.pid)
        self.peak = 0
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError("server did not become ready")

    def sample(self) -> None:
        self.peak = max(self.peak, self.ps.memory_info().rss)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def single_post_latency(
    server: Server, texts: list[str], clients: int, per_client: int, store: bool = False
) -> dict:
    latencies: list[float] = []
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            server.sample()
            time.sleep(0.1)

    def client(k: int) -> None:
        with httpx.Client(timeout=120) as session:
            for i in range(per_client):
                text = texts[(k * per_client + i) % len(texts)]
                started = time.perf_counter()
                session.post(
                    server.url + "/v1/score", json={"posts": [{"text": text}], "store": store}
                ).raise_for_status()
                latencies.append(time.perf_counter() - started)

    watcher = threading.Thread(target=sampler)
    watcher.start()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    stop.set()
    watcher.join()
    latencies.sort()
    return {
        "clients": clients,
        "requests": len(latencies),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 1),
        "requests_per_s": round(len(latencies) / elapsed, 1),
    }


def batch_throughput(server: Server, texts: list[str], requests: int = 20, size: int = 256) -> dict:
    with httpx.Client(timeout=300) as session:
        started = time.perf_counter()
        for i in range(requests):
            chunk = [{"text": texts[(i * size + j) % len(texts)]} for j in range(size)]
            session.post(server.url + "/v1/score", json={"posts": chunk, "store": False}).raise_for_status()
            server.sample()
        elapsed = time.perf_counter() - started
    return {"requests": requests, "posts_per_request": size, "posts_per_s": round(requests * size / elapsed)}


def main() -> None:
    from netra.data.corpus import load_records
    from netra.paths import default_model_path

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(default_model_path()))
    parser.add_argument("--requests", type=int, default=400, help="single-post requests in all")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--batch-wait-ms", type=float, default=0.0)
    args = parser.parse_args()
    texts = [r["text"] for r in load_records() if r["split"] == "test"]
    with tempfile.TemporaryDirectory() as home:
        server = Server(Path(args.model), Path(home), args.batch_wait_ms)
        try:
            result = {
                "model": args.model,
                "single_post": single_post_latency(
                    server, texts, args.clients, args.requests // args.clients
                ),
                "single_post_stored": single_post_latency(
                    server, texts, args.clients, 100 // args.clients, store=True
                ),
                "batch": batch_throughput(server, texts),
                "server_peak_rss_mb": None,
            }
            result["server_peak_rss_mb"] = round(server.peak / 2**20)
        finally:
            server.stop()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
