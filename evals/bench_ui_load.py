"""Load test of the web app: N concurrent gradio_client sessions asking questions (extractive mode).

    python evals/bench_ui_load.py [--sessions 20] [--rounds 3] [--out evals/results/ui_load.json]

Starts `briefing chat` as a subprocess on a temporary copy of the fictional corpus index (real embedder,
BRIEFING_LLM=none), then every session asks ``rounds`` different questions from evals/fictional/questions.jsonl
through ``/ask``. Reports errors (must be 0), answers mixed between sessions (each answer's question and
standalone question must be its own, its citations among its own passages), p50/p95 latency, and the
server's peak RSS (VmHWM from /proc/<pid>/status).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = "import sys; from assistant.cli import main; sys.exit(main())"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _questions(n: int) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "evals/fictional/questions.jsonl").read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows if not r.get("history")][:n]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="questions per session, asked one after another")
    parser.add_argument("--out", default=str(ROOT / "evals/results/ui_load.json"))
    args = parser.parse_args()

    from gradio_client import Client

    with tempfile.TemporaryDirectory(prefix="briefing-load-") as tmp:
        env = dict(os.environ, BRIEFING_DATA_DIR=str(Path(tmp) / "data"), BRIEFING_LLM="none", HF_HUB_OFFLINE="1",
                   TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", ANONYMIZED_TELEMETRY="False")
        subprocess.run([sys.executable, "-c", CLI, "ingest", "--no-progress", str(ROOT / "evals/fictional/corpus")],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        port = _free_port()
        log = open(Path(tmp) / "server.log", "wb")
        server = subprocess.Popen([sys.executable, "-c", CLI, "chat", "--port", str(port), "--no-bundled"], cwd=ROOT,
                                  env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the app did not start:\n" + (Path(tmp) / "server.log").read_text()[-2000:])
                    time.sleep(0.5)
            Client(url, verbose=False).predict("What happened at the Harlow Gap Dam?", api_name="/ask")  # warm up
            idle_rss = _rss_kb(server.pid, "VmRSS")

            questions = _questions(args.sessions * args.rounds)
            peak = {"hwm": 0}
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    peak["hwm"] = max(peak["hwm"], _rss_kb(server.pid, "VmHWM"))
                    stop.wait(0.2)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()

            def session(i: int) -> list[dict]:
                client = Client(url, verbose=False)
                out = []
                for r in range(args.rounds):
                    q = questions[(i * args.rounds + r) % len(questions)]
                    started = time.perf_counter()
                    try:
                        result = client.predict(question=q, mode="extractive", api_name="/ask")
                        seconds = time.perf_counter() - started
                        own_passages = {p["chunk_id"] for p in result["passages"]}
                        mixed = (result["question"] != q or not result["standalone_question"].startswith(q)
                                 or any(c["chunk_id"] not in own_passages for c in result["citations"]))
                        out.append({"session": i, "question": q, "seconds": seconds, "error": None, "mixed": mixed,
                                    "refused": result["refused"]})
                    except Exception as exc:  # counted, reported
                        out.append({"session": i, "question": q, "seconds": time.perf_counter() - started,
                                    "error": f"{type(exc).__name__}: {exc}", "mixed": False, "refused": None})
                return out

            wall = time.perf_counter()
            with ThreadPoolExecutor(args.sessions) as pool:
                rows = [row for rows in pool.map(session, range(args.sessions)) for row in rows]
            wall = time.perf_counter() - wall
            stop.set()
            sampler.join()
            peak["hwm"] = max(peak["hwm"], _rss_kb(server.pid, "VmHWM"))
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()

    latencies = [r["seconds"] for r in rows if not r["error"]]
    summary = {
        "sessions": args.sessions, "rounds": args.rounds, "requests": len(rows),
        "errors": sum(1 for r in rows if r["error"]),
        "mixed_answers": sum(1 for r in rows if r["mixed"]),
        "refused": sum(1 for r in rows if r["refused"]),
        "latency_p50_s": round(percentile(latencies, 0.50), 3) if latencies else None,
        "latency_p95_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "latency_mean_s": round(statistics.mean(latencies), 3) if latencies else None,
        "throughput_rps": round(len(latencies) / wall, 2),
        "wall_s": round(wall, 2),
        "server_idle_rss_mb": round(idle_rss / 1024, 1),
        "server_peak_rss_mb": round(peak["hwm"] / 1024, 1),
        "first_errors": [r["error"] for r in rows if r["error"]][:5],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "rows": rows}, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0 if summary["errors"] == 0 and summary["mixed_answers"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
