"""The same pipeline against a real Chroma server (`chroma run`), started and stopped by PID."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from servers import free_port, serving

from assistant.config import Settings
from assistant.embed import HashEmbedder
from assistant.pipeline import Assistant

pytestmark = [pytest.mark.slow, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[1]
FICTIONAL = ROOT / "evals" / "fictional" / "corpus"
CHROMA = Path(sys.executable).parent / "chroma"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.fail(f"the chroma CLI is missing at {CHROMA}: install chromadb into this venv")
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    command = [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with serving(command, f"http://127.0.0.1:{port}/api/v2/heartbeat", path.parent / "chroma-server.log", timeout=30) as proc:
        yield port, path
    assert proc.returncode is not None, "chroma server did not stop"


def test_ingest_and_retrieve_through_a_chroma_server(chroma_server, tmp_path):
    port, server_dir = chroma_server
    settings = Settings.from_env({}, data_dir=tmp_path / "data", llm="none", chroma_host="127.0.0.1", chroma_port=port)
    a = Assistant(settings, embedder=HashEmbedder())
    assert f"127.0.0.1:{port}" in a.store.describe()

    report = a.ingest([str(FICTIONAL)])
    assert report.counts() == {"added": 45}
    assert not (tmp_path / "data" / "chroma").exists(), "server mode must not create an embedded store"
    ids = set(a.store.collection.get(include=[])["ids"])
    assert ids == a.catalog.chunk_ids() and len(ids) == report.chunks_added

    passages = a.retrieve("How many people were evacuated from Dunmarrow according to the Northgate Wire?", k=6)
    assert len(passages) == 6
    assert passages[0].source == "Northgate Wire"
    for p in passages:
        assert p.source and p.published_at and p.title and p.text
        assert a.catalog.article(p.article_id).body[p.start : p.end] == p.text

    answer = a.ask("At what time did the Harlow Gap Dam give way on March 4?", mode="extractive")
    assert "02:40" in answer.text and answer.citations[0].passage.published_at == "2026-03-04"

    # Removal goes through the server too, and a second client sees the same collection.
    victim = passages[0].article_id
    a.remove(victim)
    other = Assistant(settings, embedder=HashEmbedder())
    remaining = set(other.store.collection.get(include=[])["ids"])
    assert remaining == a.catalog.chunk_ids()
    assert not any(c.startswith(victim + ":") for c in remaining)
    a.close()
    other.close()
