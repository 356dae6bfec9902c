"""An ingest killed with SIGKILL midway is completed by the next run: no pending articles, no
orphaned or duplicated chunks, and the same index a clean ingest builds."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path


from assistant.config import Settings
from assistant.embed import HashEmbedder
from assistant.pipeline import Assistant

ROOT = Path(__file__).resolve().parents[2]
FICTIONAL = ROOT / "evals" / "fictional" / "corpus"
GENERATED = 200
TOTAL = 45 + GENERATED

# Runs in a child process: the same ingest, slowed down per embedding batch so a kill lands midway.
CHILD = textwrap.dedent(
    """
    import sys, time
    from assistant.config import Settings
    from assistant.embed import HashEmbedder
    from assistant.pipeline import Assistant

    class SlowHashEmbedder(HashEmbedder):
        def embed_batch(self, texts):
            time.sleep(0.5)
            return super().embed_batch(texts)

    settings = Settings.from_env({}, data_dir=sys.argv[1], llm="none")
    Assistant(settings, embedder=SlowHashEmbedder()).ingest(sys.argv[2:])
    print("finished")
    """
)

_WORDS = (
    "river council harbour ferry budget inquiry storm bridge tram school hospital court vote rescue engineer "
    "minister mayor grain freight village market turbine levee pump drought ledger tariff orchard quarry "
    "pension clinic museum festival archive tunnel railway vessel pilot signal canal granary bakery"
).split()


def write_generated(folder: Path, n: int) -> None:
    """n distinct articles (random word sequences with a fixed seed: no two are near duplicates)."""
    folder.mkdir()
    for i in range(n):
        rng = random.Random(i)
        sentences = []
        for s in range(rng.randint(8, 16)):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
            sentences.append(f"Item {i}-{s}: " + " ".join(words).capitalize() + f" near marker {rng.randint(1, 10**6)}.")
        body = " ".join(sentences[:6]) + "\n\n" + " ".join(sentences[6:])
        (folder / f"gen-{i:03d}.md").write_text(
            f"---\ntitle: Generated report {i}\nsource: Test Wire\ndate: 2026-03-{1 + i % 28:02d}\n---\n{body}\n", encoding="utf-8"
        )


def read_status(catalog: Path) -> dict[str, int]:
    try:
        conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=0.2)
        try:
            return dict(conn.execute("SELECT status, count(*) FROM articles GROUP BY status").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def index_state(a: Assistant) -> tuple[set[str], dict[str, int]]:
    got = a.store.collection.get(include=[])["ids"]
    assert len(got) == len(set(got))
    ids = set(got)
    assert ids == a.catalog.chunk_ids(), "Chroma and the catalog disagree (orphans or missing chunks)"
    fts = [r[0] for r in a.catalog._query("SELECT c.id FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid")]
    assert sorted(fts) == sorted(ids)
    assert a.catalog._query("SELECT count(*) FROM chunks_fts")[0][0] == len(ids)
    per_article: dict[str, int] = {}
    for cid in ids:
        aid = cid.rsplit(":", 1)[0]
        per_article[aid] = per_article.get(aid, 0) + 1
    return ids, per_article


def test_ingest_killed_midway_is_completed_without_duplicates_or_orphans(tmp_path):
    generated = tmp_path / "generated"
    write_generated(generated, GENERATED)
    paths = [str(FICTIONAL), str(generated)]
    data_dir = tmp_path / "killed"
    catalog = data_dir / "catalog.sqlite3"

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(data_dir), *paths],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            status = read_status(catalog)
            if status.get("ready", 0) > 0 and status.get("pending", 0) > 0:
                break  # a group is done and the next one is being written
            time.sleep(0.02)
        assert child.poll() is None, child.communicate()[1].decode()[-2000:]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    at_kill = read_status(catalog)
    assert 0 < at_kill.get("ready", 0) < TOTAL, f"the kill did not land midway: {at_kill}"
    assert b"finished" not in child.stdout.read()
    assert at_kill.get("pending", 0) > 0

    # Files whose articles the killed run left half-written are edited before the next run, so their
    # old partial articles belong to no file any more: only recovery can clear them.
    conn = sqlite3.connect(catalog)
    interrupted = conn.execute("SELECT id, path FROM articles WHERE status = 'pending'").fetchall()
    conn.close()
    for _, path in interrupted:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write("\nA correction was appended after the interrupted ingest.\n")

    resumed = Assistant(Settings.from_env({}, data_dir=data_dir, llm="none"), embedder=HashEmbedder())
    report = resumed.ingest(paths)
    assert not report.failed, [f.line() for f in report.failed]
    counts = resumed.catalog.counts()
    assert counts["pending"] == 0
    assert counts["articles"] == TOTAL
    assert counts["files"] == TOTAL
    ids, per_article = index_state(resumed)
    assert len(per_article) == TOTAL
    for aid, n in per_article.items():
        assert sorted(int(c.rsplit(":", 1)[1]) for c in ids if c.startswith(aid + ":")) == list(range(n))
    for old_id, _ in interrupted:
        assert resumed.catalog.status(old_id) is None
        assert not any(c.startswith(old_id + ":") for c in ids)
    rows = resumed.catalog.list_articles()
    assert len({r.id for r in rows}) == len(rows) == TOTAL
    assert all(r.chunk_count == per_article[r.id] for r in rows)

    clean = Assistant(Settings.from_env({}, data_dir=tmp_path / "clean", llm="none"), embedder=HashEmbedder())
    clean.ingest(paths)
    clean_ids, _ = index_state(clean)
    assert clean_ids == ids
    assert resumed.store.count() == clean.store.count() == len(ids)

    # A further run finds nothing to do.
    assert resumed.ingest(paths).counts() == {"unchanged": TOTAL}
    resumed.close()
    clean.close()
