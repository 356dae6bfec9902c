"""Indexing keeps Chroma and the catalog's full-text index in step with the article files:
idempotent re-ingest, replacement, removal, duplicates, bad files, pruning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embed import HashEmbedder
from assistant.ingest.load import ArticleLoader
from assistant.pipeline import Assistant

ROOT = Path(__file__).resolve().parents[2]
FICTIONAL = ROOT / "evals" / "fictional" / "corpus"
DAM = "2026-03-04-dam-breach-floods-dunmarrow.md"
MAYOR = "2026-02-27-three-candidates-for-mayor.md"
CUP = "2026-03-08-mariners-win-cup.md"


def make_assistant(data_dir: Path, **overrides) -> Assistant:
    settings = Settings.from_env({}, data_dir=data_dir, llm="none", **overrides)
    return Assistant(settings, embedder=HashEmbedder())


@pytest.fixture
def assistant(tmp_path):
    a = make_assistant(tmp_path / "data")
    yield a
    a.close()


@pytest.fixture
def articles_dir(tmp_path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in (DAM, MAYOR, CUP):
        shutil.copy(FICTIONAL / name, folder / name)
    return folder


def chroma_ids(a: Assistant) -> set[str]:
    return set(a.store.collection.get(include=[])["ids"])


def fts_ids(a: Assistant) -> list[str]:
    """Chunk ids reachable through the full-text index (a list, so duplicates would show)."""
    rows = a.catalog._query("SELECT c.id FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid")
    return [r[0] for r in rows]


def assert_in_step(a: Assistant) -> set[str]:
    """Chroma, the chunk table and the FTS index hold exactly the same chunks, once each."""
    ids = chroma_ids(a)
    assert a.store.count() == len(ids)
    assert ids == a.catalog.chunk_ids()
    fts = fts_ids(a)
    assert sorted(fts) == sorted(ids)
    assert a.catalog._query("SELECT count(*) FROM chunks_fts")[0][0] == len(ids), "orphan FTS rows"
    ready = {r.id for r in a.catalog.list_articles()}
    assert {cid.rsplit(":", 1)[0] for cid in ids} == ready
    assert a.catalog.counts()["pending"] == 0
    return ids


def article_of(path: Path):
    return ArticleLoader(50 * 1024 * 1024).load(path)[0]


def test_reingesting_unchanged_files_adds_nothing(assistant, articles_dir):
    first = assistant.ingest([str(articles_dir)])
    assert first.counts()["added"] == 3 and not first.failed
    assert first.chunks_added > 3
    before = assert_in_step(assistant)
    calls = assistant.embedder.calls

    again = assistant.ingest([str(articles_dir)])
    assert again.counts() == {"unchanged": 3}
    assert again.chunks_added == 0
    assert assistant.embedder.calls == calls, "unchanged files must not be re-embedded"
    assert assert_in_step(assistant) == before


def test_changed_file_replaces_its_old_chunks(assistant, articles_dir):
    path = articles_dir / DAM
    assistant.ingest([str(articles_dir)])
    old_id = article_of(path).id
    old_chunks = {c for c in assert_in_step(assistant) if c.startswith(old_id + ":")}
    assert old_chunks
    assert assistant.catalog.search_text("sirens", 50)  # a word only the old version has

    text = path.read_text(encoding="utf-8").replace("emergency sirens", "church bells")
    text += "\nThe pumping station at Quellmouth was switched to backup generators overnight.\n"
    path.write_text(text, encoding="utf-8")
    report = assistant.ingest([str(path)])

    assert report.counts() == {"updated": 1}
    new_id = article_of(path).id
    assert new_id != old_id
    ids = assert_in_step(assistant)
    assert not old_chunks & ids, "old chunks left behind"
    assert any(c.startswith(new_id + ":") for c in ids)
    assert assistant.catalog.status(old_id) is None
    assert not [cid for cid, _ in assistant.catalog.search_text("sirens", 50) if cid.startswith(old_id)]
    hits = assistant.catalog.search_text("Quellmouth generators", 50)
    assert hits and all(cid.startswith(new_id + ":") for cid, _ in hits)
    assert len(assistant.catalog.list_articles()) == 3


@pytest.mark.parametrize("by", ["id prefix", "path"])
def test_removing_an_article_removes_its_chunks_everywhere(assistant, articles_dir, by):
    assistant.ingest([str(articles_dir)])
    path = articles_dir / CUP
    aid = article_of(path).id
    assert any(c.startswith(aid) for c in assert_in_step(assistant))

    removed = assistant.remove(aid[:8] if by == "id prefix" else str(path))

    assert removed == [aid]
    ids = assert_in_step(assistant)
    assert not any(c.startswith(aid) for c in ids)
    assert assistant.catalog.status(aid) is None
    assert not assistant.catalog.search_text("Mariners", 50)
    assert not any(p.article_id == aid for p in assistant.retrieve("Saltreach Mariners cup final", k=10))
    assert len(assistant.catalog.list_articles()) == 2


def test_removing_an_unknown_reference_fails_and_changes_nothing(assistant, articles_dir):
    assistant.ingest([str(articles_dir)])
    before = assert_in_step(assistant)
    with pytest.raises(Exception, match="no article or ingested file matches"):
        assistant.remove("ffffffffff")
    assert assert_in_step(assistant) == before


def test_same_article_under_another_name_is_stored_once(assistant, articles_dir, tmp_path):
    assistant.ingest([str(articles_dir)])
    before = assert_in_step(assistant)
    copy = tmp_path / "copy-of-dam.md"
    shutil.copy(articles_dir / DAM, copy)

    report = assistant.ingest([str(copy)])

    assert report.counts() == {"duplicate": 1}
    assert report.files[0].duplicates == 1 and report.files[0].articles == 0
    assert assert_in_step(assistant) == before
    aid = article_of(copy).id
    assert assistant.catalog.paths_of(aid) == sorted([str((articles_dir / DAM).resolve()), str(copy.resolve())])
    # Removing one copy keeps the article (the other file still has it); removing both drops it.
    assert assistant.remove(str(copy)) == []
    assert assert_in_step(assistant) == before
    assert assistant.remove(str(articles_dir / DAM)) == [aid]
    assert not any(c.startswith(aid) for c in assert_in_step(assistant))


def test_republished_wire_story_is_recorded_as_near_duplicate_not_indexed(assistant, articles_dir, tmp_path):
    assistant.ingest([str(articles_dir)])
    before = assert_in_step(assistant)
    original = article_of(articles_dir / DAM)
    text = (articles_dir / DAM).read_text(encoding="utf-8")
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    edited = text.replace(title_line, "title: Dam bursts above Dunmarrow, floodwater sweeps through town")
    edited = edited.replace("Residents said", "Locals said", 1).replace("worst flood disaster", "worst flooding disaster", 1)
    assert edited.count("\n") == text.count("\n") and edited != text
    repost = tmp_path / "wire-repost.md"
    repost.write_text(edited, encoding="utf-8")

    report = assistant.ingest([str(repost)])

    assert report.counts() == {"duplicate": 1}, [f.line() for f in report.files]
    dups = assistant.catalog.duplicates()
    assert len(dups) == 1
    assert dups[0]["duplicate_of"] == original.id
    assert dups[0]["title"].startswith("Dam bursts above Dunmarrow")
    assert 0.8 <= dups[0]["similarity"] < 1.0
    assert assert_in_step(assistant) == before
    assert "Dam bursts above Dunmarrow, floodwater sweeps through town" not in {r.title for r in assistant.catalog.list_articles()}
    # Ingesting it again is still a duplicate, not a new article.
    assert assistant.ingest([str(repost)]).counts() in ({"unchanged": 1}, {"duplicate": 1})
    assert assert_in_step(assistant) == before


def test_unrelated_article_on_the_same_story_is_not_a_near_duplicate(assistant):
    report = assistant.ingest([str(FICTIONAL / "2026-03-07-toll-reaches-23.md"), str(FICTIONAL / "2026-03-13-toll-rises-to-26.md")])
    assert report.counts() == {"added": 2}
    assert assistant.catalog.duplicates() == []


def test_mixed_batch_reports_each_bad_file_and_indexes_the_good_ones(tmp_path, articles_dir):
    a = make_assistant(tmp_path / "data", max_file_mb=0.01)  # 10 KiB
    a.ingest([str(articles_dir / MAYOR)])
    before = assert_in_step(a)

    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(articles_dir / DAM, batch / "good.md")
    (batch / "empty.txt").write_bytes(b"")
    (batch / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (batch / "latin1.txt").write_bytes("Caf\u00e9 owners count losses\n\nThe caf\u00e9 reopened.".encode("latin-1"))
    (batch / "records.json").write_text(json.dumps([
        {"title": "Ferry service resumes to Grennock", "body": "The Grennock ferry resumed sailings on Friday after the storm.",
         "source": "Northgate Wire", "date": "2026-03-12"},
        {"title": "No body here"},
        "just a string",
    ]), encoding="utf-8")
    (batch / "broken.json").write_text('{"title": "x", "body": ', encoding="utf-8")
    (batch / "huge.txt").write_text("Huge file\n\n" + "The water kept rising. " * 1000, encoding="utf-8")
    missing = tmp_path / "nope.md"

    report = a.ingest([str(batch / n) for n in sorted(p.name for p in batch.iterdir())] + [str(missing)])

    by_name = {Path(f.path).name: f for f in report.files}
    assert by_name["good.md"].status == "added"
    assert by_name["records.json"].status == "added" and by_name["records.json"].articles == 1
    expected = {
        "empty.txt": "empty",
        "binary.txt": "binary",
        "latin1.txt": "not valid UTF-8",
        "broken.json": "not valid JSON",
        "huge.txt": "limit",
        "nope.md": "no such file",
    }
    for name, reason in expected.items():
        assert by_name[name].status == "failed", name
        assert any(reason in r for r in by_name[name].reasons), (name, by_name[name].reasons)
    record_reasons = by_name["records.json"].reasons
    assert any("record 1" in r and "body" in r for r in record_reasons), record_reasons
    assert any("record 2" in r for r in record_reasons), record_reasons
    assert len(report.failed) == len(expected) + 1  # the JSON file with bad records counts as a partial failure

    ids = assert_in_step(a)
    assert before < ids, "what was stored before must survive a batch with bad files"
    titles = {r.title for r in a.catalog.list_articles()}
    assert "Ferry service resumes to Grennock" in titles
    assert article_of(articles_dir / DAM).title in titles
    assert len(titles) == 3
    a.close()


def test_file_deleted_from_an_ingested_folder_is_pruned(assistant, articles_dir):
    assistant.ingest([str(articles_dir)])
    aid = article_of(articles_dir / MAYOR).id
    (articles_dir / MAYOR).unlink()

    report = assistant.ingest([str(articles_dir)])

    assert report.counts() == {"removed": 1, "unchanged": 2}
    ids = assert_in_step(assistant)
    assert not any(c.startswith(aid) for c in ids)
    assert str((articles_dir / MAYOR).resolve()) not in assistant.catalog.files()
    assert len(assistant.catalog.list_articles()) == 2


def test_whole_fictional_corpus_stays_in_step_through_a_sequence_of_operations(assistant, tmp_path):
    folder = tmp_path / "all"
    shutil.copytree(FICTIONAL, folder)
    report = assistant.ingest([str(folder)])
    assert report.counts() == {"added": 45}
    ids = assert_in_step(assistant)
    assert len({c.rsplit(":", 1)[0] for c in ids}) == 45
    # Reopening the same data dir from a new process-like object sees the same state.
    again = make_assistant(assistant.settings.data_dir)
    assert again.ingest([str(folder)]).counts() == {"unchanged": 45}
    assert assert_in_step(again) == ids
    victims = sorted(folder.glob("*.md"))[:5]
    for v in victims:
        v.unlink()
    assert again.ingest([str(folder)]).counts() == {"removed": 5, "unchanged": 40}
    assert len({c.rsplit(":", 1)[0] for c in assert_in_step(again)}) == 40
    again.close()


def chunk_map(a: Assistant) -> dict[str, str]:
    """Every chunk id with its text, from the full-text index, checked against Chroma's copy."""
    ids = assert_in_step(a)
    texts = a.catalog.chunk_texts(sorted(ids))
    stored = a.store.collection.get(ids=sorted(ids), include=["documents"])
    assert dict(zip(stored["ids"], stored["documents"])) == texts
    return texts


def test_changed_chunk_settings_rechunk_every_stored_article_on_the_next_ingest(tmp_path, articles_dir):
    single = tmp_path / "single"
    single.mkdir()
    shutil.copy(articles_dir / CUP, single / CUP)
    data = tmp_path / "data"
    a = make_assistant(data, chunk_tokens=200)
    a.ingest([str(articles_dir / DAM), str(articles_dir / MAYOR), str(single / CUP)])
    wide = chunk_map(a)
    a.close()
    (single / CUP).unlink()  # its article must be re-chunked from the stored text, not from the file

    b = make_assistant(data, chunk_tokens=64)
    report = b.ingest([str(articles_dir / DAM), str(articles_dir / MAYOR)])
    assert report.rechunked == 3
    assert "3 stored articles re-chunked" in report.summary()
    assert report.counts() == {"unchanged": 2}
    narrow = chunk_map(b)
    assert len(narrow) > len(wide)

    fresh = make_assistant(tmp_path / "fresh", chunk_tokens=64)
    shutil.copy(articles_dir / CUP, single / CUP)
    fresh.ingest([str(articles_dir / DAM), str(articles_dir / MAYOR), str(single / CUP)])
    assert narrow == chunk_map(fresh), "re-chunked index differs from one built with the new settings"
    assert b.catalog.search_text("Kestrel Park", 5), "the article whose file is gone was lost"

    calls = b.embedder.calls
    again = b.ingest([str(articles_dir / DAM)])
    assert again.rechunked == 0 and b.embedder.calls == calls
    for x in (b, fresh):
        x.close()


class FailingEmbedder(HashEmbedder):
    """Embeds ``ok_batches`` batches, then fails like a process killed mid-way."""

    def __init__(self, ok_batches: int):
        super().__init__()
        self.left = ok_batches

    def embed_batch(self, texts):
        if self.left == 0:
            raise RuntimeError("killed")
        self.left -= 1
        return super().embed_batch(texts)


def test_an_interrupted_rechunk_loses_nothing_and_the_next_ingest_finishes_it(tmp_path, articles_dir, monkeypatch):
    from assistant.ingest import index

    data = tmp_path / "data"
    a = make_assistant(data, chunk_tokens=64)
    a.ingest([str(articles_dir)])
    before = chunk_map(a)
    a.close()

    monkeypatch.setattr(index, "GROUP_ARTICLES", 1)
    settings = Settings.from_env({}, data_dir=data, llm="none", chunk_tokens=200)
    b = Assistant(settings, embedder=FailingEmbedder(ok_batches=1))
    with pytest.raises(RuntimeError):
        b.ingest([str(articles_dir)])
    assert len(b.catalog.list_articles()) == 3
    ids = b.store.collection.get(include=[])["ids"]
    assert {i.rsplit(":", 1)[0] for i in ids} == {r.id for r in b.catalog.list_articles()}
    assert b.catalog.meta("layout") != b.indexer.layout(), "the new layout was recorded before the work was done"
    b.close()

    c = make_assistant(data, chunk_tokens=200)
    assert c.ingest([str(articles_dir)]).rechunked == 2  # the first article was done before the failure
    after = chunk_map(c)
    assert after != before and len(after) < len(before)
    c.close()


def test_an_index_that_did_not_record_its_chunking_keeps_the_chunks_that_come_out_the_same(tmp_path, articles_dir):
    data = tmp_path / "data"
    a = make_assistant(data)
    a.ingest([str(articles_dir)])
    before = chunk_map(a)
    vectors = a.store.collection.get(include=["embeddings"])
    with a.catalog.transaction() as conn:  # an index made before indexes recorded their chunking
        conn.execute("DELETE FROM meta")
    a.close()

    b = make_assistant(data)
    report = b.ingest([str(articles_dir)])
    assert report.rechunked == 0 and "re-chunked" not in report.summary()
    assert b.embedder.calls == 0, "unchanged chunks were embedded again"
    assert chunk_map(b) == before
    after = b.store.collection.get(include=["embeddings"])
    assert after["ids"] == vectors["ids"] and (after["embeddings"] == vectors["embeddings"]).all()
    assert b.catalog.meta("layout") == b.indexer.layout()
    b.close()
