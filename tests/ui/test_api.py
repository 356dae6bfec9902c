"""The ``/ask`` API of the real app (`briefing chat` in a subprocess) through gradio_client."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from servers import free_port, serving

pytestmark = [pytest.mark.slow, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "evals" / "fictional" / "corpus"
CLI = "import sys; from assistant.cli import main; sys.exit(main())"


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ, BRIEFING_DATA_DIR=str(data_dir), BRIEFING_LLM="none", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", ANONYMIZED_TELEMETRY="False")
    for key in ("BRIEFING_HOST", "BRIEFING_PORT", "BRIEFING_AUTH_USER", "BRIEFING_AUTH_PASSWORD", "BRIEFING_OPEN_ACCESS"):
        env.pop(key, None)
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ui-api") / "data"
    env = _env(data_dir)
    subprocess.run([sys.executable, "-c", CLI, "ingest", "--no-progress", str(CORPUS)], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=600)
    port = free_port()
    command = [sys.executable, "-c", CLI, "chat", "--port", str(port), "--no-bundled"]
    url = f"http://127.0.0.1:{port}/"
    with serving(command, url, data_dir / "server.log", cwd=ROOT, env=env):
        yield url


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server, verbose=False)


def test_api_lists_ask(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert "/ask" in endpoints
    params = [p["parameter_name"] for p in endpoints["/ask"]["parameters"]]
    assert params[:3] == ["question", "mode", "passages"]


def test_ask_returns_answer_and_citations(client):
    result = client.predict("Who was appointed to lead the inquiry into the dam failure?", api_name="/ask")
    assert result["refused"] is False and result["mode"] == "extractive"
    assert "Santov" in result["answer"] and "[1]" in result["answer"]
    citation = result["citations"][0]
    assert set(citation) >= {"number", "title", "source", "published_at", "url", "sentences"}
    assert citation["number"] == 1 and citation["sentences"] and citation["url"].startswith("https://")
    assert all(s["supported"] for s in result["sentences"] if s["citations"])
    assert all(set(s) == {"text", "citations", "supported", "reason"} for s in result["sentences"])


def test_follow_up_with_history(client):
    first = client.predict(question="Who was appointed to lead the inquiry into the dam failure?", api_name="/ask")
    follow = client.predict(question="When is her first hearing?", history=[[first["question"], first["answer"]]],
                            api_name="/ask")
    assert "following up on: Who was appointed" in follow["standalone_question"]


def test_filters_restrict_retrieval(client):
    result = client.predict(question="What happened at the dam?", mode="extractive", passages=4,
                            outlets=["Northgate Wire"], since="2026-03-01", until="2026-03-10", api_name="/ask")
    assert result["passages"] and len(result["passages"]) <= 4
    assert {p["source"] for p in result["passages"]} == {"Northgate Wire"}
    assert all("2026-03-01" <= p["published_at"][:10] <= "2026-03-10" for p in result["passages"])


def test_refusal_and_bad_input(client):
    refused = client.predict(question="What is the capital of France?", api_name="/ask")
    assert refused["refused"] is True and refused["citations"] == []
    with pytest.raises(Exception, match="2026-13-01"):
        client.predict(question="What happened?", since="2026-13-01", api_name="/ask")
    with pytest.raises(Exception, match="mode must be"):
        client.predict(question="What happened?", mode="poetry", api_name="/ask")


def test_refuses_to_listen_beyond_localhost_without_login(tmp_path):
    env = _env(tmp_path / "data")
    done = subprocess.run([sys.executable, "-c", CLI, "chat", "--host", "0.0.0.0", "--port", str(free_port()), "--no-bundled"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "BRIEFING_AUTH_USER" in done.stderr and "--open" in done.stderr
