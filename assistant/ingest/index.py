"""Files -> Articles -> Chunks -> embeddings -> Chroma + catalog, incrementally and idempotently.

The index records how its chunks were made (chunk size, overlap, chunker version): when the settings
or the chunker change, the next ingest chunks every stored article again from the text kept in the
catalog (re-embedding only those whose chunks differ), so an index never mixes chunks made two ways.

Order of writes per group of articles: catalog marks them ``pending``; chunks go to Chroma (upsert by
content-derived ids); then, in one SQLite transaction, their full-text rows are written and they become
``ready``. A file's record is written only once all its articles are ready. A run that finds ``pending``
articles (a previous run was killed) deletes their partial chunks first, so nothing is duplicated or
orphaned; unchanged files are recognised by their SHA-256 and skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ..catalog import Catalog
from ..config import Settings
from ..embed import MAX_WORD_PIECES, Embedder, embedding_text
from ..errors import CorpusError
from ..store import ChromaStore
from ..types import Article, Chunk
from .chunk import CHUNKER_VERSION, Chunker
from .dedup import NearDuplicateIndex, signature
from .load import ArticleLoader, expand_paths

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (articles done, articles to index)

GROUP_ARTICLES = 48  # articles embedded and written together: big enough to batch well, small enough to lose little


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | duplicate | failed | removed
    articles: int = 0  # articles newly indexed from this file
    duplicates: int = 0  # articles already stored (exact) or recorded as near duplicates
    reasons: list[str] = field(default_factory=list)  # why it (or some of its records) failed

    def line(self) -> str:
        extra = f" ({self.articles} new, {self.duplicates} duplicate)" if self.status not in ("failed", "unchanged") else ""
        why = f": {'; '.join(self.reasons)}" if self.reasons else ""
        return f"{self.status:<9} {self.path}{extra}{why}"


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    chunks_added: int = 0
    rechunked: int = 0  # stored articles chunked again because the chunk settings or chunker changed

    def counts(self) -> Counter:
        return Counter(f.status for f in self.files)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed" or f.reasons]

    def summary(self) -> str:
        c = self.counts()
        parts = [f"{c.get(s, 0)} {s}" for s in ("added", "updated", "unchanged", "duplicate", "failed", "removed")]
        again = f"; {self.rechunked} stored articles re-chunked (the index was made with other chunk settings)" if self.rechunked else ""
        return f"{', '.join(parts)}; {sum(f.articles for f in self.files)} articles and {self.chunks_added} chunks indexed{again}"


@dataclass
class _Pending:
    """A file being ingested and the articles of it still to be indexed."""

    path: Path
    key: str
    sha: str
    size: int
    mtime: float
    article_ids: list[str]
    waiting: set[str]


class Indexer:
    """Keeps Chroma and the catalog in step with the article files given to it."""

    def __init__(self, settings: Settings, embedder: Embedder, store: ChromaStore, catalog: Catalog):
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.catalog = catalog
        self.loader = ArticleLoader(settings.max_file_bytes)
        self.chunker = Chunker(embedder.count_tokens, settings.chunk_tokens, settings.chunk_overlap_tokens)

    # Recovery.
    def recover(self) -> int:
        """Delete the partial chunks of articles a killed run left ``pending``; returns how many."""
        pending = self.catalog.pending()
        if pending:
            log.warning("completing an interrupted ingest: clearing %d partially written articles", len(pending))
            self.store.delete_articles(pending)
            self.catalog.remove_articles(pending)
        return len(pending)

    # How the chunks are made.
    def layout(self) -> str:
        """What decides the chunks made from a text, as recorded with the index."""
        return json.dumps({"chunk_tokens": self.settings.chunk_tokens,
                           "chunk_overlap_tokens": self.settings.chunk_overlap_tokens, "chunker": CHUNKER_VERSION},
                          sort_keys=True)

    def rechunk_if_changed(self, progress: Progress | None = None) -> int:
        """Chunk every stored article again, from the text in the catalog, when the index was built with
        other chunk settings or another chunker version (or did not record them); returns how many articles
        got different chunks. Articles whose chunks come out the same are left as they are.

        Safe to interrupt: new chunks overwrite old ones by id, and the new layout is recorded only at the
        end, so a killed run is simply done again by the next ingest. Nothing is deleted but chunks the
        new chunking no longer makes."""
        wanted, recorded = self.layout(), self.catalog.meta("layout")
        if recorded == wanted:
            return 0
        ids = [row.id for row in self.catalog.list_articles()]
        changed = 0
        if ids:
            log.warning("the index was chunked with %s, the settings now say %s: chunking the %d stored articles again "
                        "(those whose chunks come out the same are kept as they are)",
                        recorded or "settings it did not record", wanted, len(ids))
            if progress:
                progress(0, len(ids))
            for i in range(0, len(ids), GROUP_ARTICLES):
                fresh: list[tuple[Article, list[Chunk]]] = []
                stale: list[str] = []  # chunk ids the new chunking no longer makes
                for aid in ids[i : i + GROUP_ARTICLES]:
                    article = self.catalog.article(aid)
                    if article is None:
                        continue
                    chunks, stored = self._chunk(article), self.catalog.chunk_contents(aid)
                    # Articles whose chunks come out the same keep their stored vectors (no embedding, no rewrite).
                    if stored != {c.id: (c.heading, c.text) for c in chunks}:
                        fresh.append((article, chunks))
                        stale += sorted(set(stored) - {c.id for c in chunks})
                self._store(fresh)
                if stale:
                    self.store.delete_chunks(stale)
                self.catalog.mark_ready([(a, cs, signature(a.body)) for a, cs in fresh])
                changed += len(fresh)
                if progress:
                    progress(min(i + GROUP_ARTICLES, len(ids)), len(ids))
        self.catalog.set_meta("layout", wanted)
        return changed

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None) -> IngestReport:
        self.recover()
        report = IngestReport()
        report.rechunked = self.rechunk_if_changed(progress)
        files, errors = expand_paths(paths)
        for err in errors:
            report.files.append(FileResult(err.path, "failed", reasons=[err.reason]))
        report.files.extend(self._prune_missing(paths))

        dedup = NearDuplicateIndex(self.settings.near_duplicate_threshold)
        for aid, sig in self.catalog.signatures():
            dedup.add(aid, sig)

        todo: list[Article] = []
        pending_files: list[_Pending] = []
        for path in files:
            item = self._plan_file(path, report, dedup, todo)
            if item is not None:
                pending_files.append(item)

        done = 0
        if progress:
            progress(0, len(todo))
        for i in range(0, len(todo), GROUP_ARTICLES):
            group = todo[i : i + GROUP_ARTICLES]
            report.chunks_added += self._index_group(group)
            done += len(group)
            finished = {a.id for a in group}
            for item in pending_files:
                item.waiting -= finished
            self._finish_files([p for p in pending_files if not p.waiting])
            pending_files = [p for p in pending_files if p.waiting]
            if progress:
                progress(done, len(todo))
        self._finish_files(pending_files)
        return report

    def _plan_file(self, path: Path, report: IngestReport, dedup: NearDuplicateIndex, todo: list[Article]) -> _Pending | None:
        key = str(path.resolve())
        try:
            stat = path.stat()
            data_sha = _sha256(path) if stat.st_size <= self.settings.max_file_bytes else ""
        except OSError as exc:
            report.files.append(FileResult(key, "failed", reasons=[f"cannot read file: {exc.strerror or exc}"]))
            return None
        known = self.catalog.file(key)
        if known and known[0] == data_sha and all(self.catalog.status(a) in ("ready", "duplicate") for a in known[1]):
            report.files.append(FileResult(key, "unchanged"))
            return None
        try:
            articles, record_errors = self.loader.load_many(path)
        except CorpusError as err:
            report.files.append(FileResult(key, "failed", reasons=[err.reason]))
            return None
        result = FileResult(key, "updated" if known else "added", reasons=[e.reason for e in record_errors])
        if not articles:
            result.status = "failed"
            report.files.append(result)
            return None
        planned = {a.id for a in todo}
        ids: list[str] = []
        waiting: set[str] = set()
        for article in articles:
            if article.id in ids:
                result.duplicates += 1
                continue
            ids.append(article.id)
            status = self.catalog.status(article.id)
            if status == "ready" or article.id in planned:
                owners = set(self.catalog.paths_of(article.id)) - {key}
                if owners or article.id in planned:
                    result.duplicates += 1  # the same article under another file name
                else:
                    result.articles += 1  # stored by an interrupted run of this very file
                continue
            if status == "duplicate":
                result.duplicates += 1
                continue
            sig = signature(article.body)
            # An edited file is a new version of its own old articles, not a near duplicate of them.
            similar = dedup.most_similar(sig, exclude=set(known[1]) if known else ())
            if similar:
                self.catalog.add_duplicate(article, similar[0], similar[1])
                log.info("%s is a near duplicate (%.2f) of %s", article.path, similar[1], similar[0])
                result.duplicates += 1
                continue
            dedup.add(article.id, sig)
            todo.append(article)
            planned.add(article.id)
            waiting.add(article.id)
            result.articles += 1
        if result.articles == 0 and result.duplicates and not record_errors:
            result.status = "duplicate"
        report.files.append(result)
        stat = path.stat()
        return _Pending(path, key, data_sha, stat.st_size, stat.st_mtime, ids, waiting)

    def _index_group(self, articles: Sequence[Article]) -> int:
        self.catalog.mark_pending(articles)
        chunked = [(a, self._chunk(a)) for a in articles]
        self._store(chunked)
        self.catalog.mark_ready([(a, cs, signature(a.body)) for a, cs in chunked])
        return sum(len(cs) for _, cs in chunked)

    def _chunk(self, article: Article) -> list[Chunk]:
        header = self.embedder.count_tokens(embedding_text(article.title, article.source, article.published_at, None, ""))
        budget = max(32, min(self.settings.chunk_tokens, MAX_WORD_PIECES - header - 2))
        return self.chunker.chunk(article, budget)

    def _store(self, chunked: Sequence[tuple[Article, list[Chunk]]]) -> None:
        """Embed the chunks and upsert them into Chroma (the catalog is the caller's)."""
        flat = [(a, c) for a, cs in chunked for c in cs]
        if flat:
            texts = [embedding_text(a.title, a.source, a.published_at, c.heading, c.text) for a, c in flat]
            vectors = self.embedder.embed_batch(texts)
            meta = [{"title": a.title, "source": a.source, "published_at": a.published_at, "url": a.url} for a, _ in flat]
            self.store.upsert([c for _, c in flat], vectors, meta)

    def _finish_files(self, items: Sequence[_Pending]) -> None:
        for item in items:
            previous = self.catalog.file(item.key)
            self.catalog.set_file(item.key, item.sha, item.size, item.mtime, item.article_ids)
            if previous:
                stale = [a for a in previous[1] if a not in item.article_ids]
                self._drop(self.catalog.unreferenced(stale))

    def _prune_missing(self, paths: Iterable[str | Path]) -> list[FileResult]:
        """Files recorded under a folder being ingested that no longer exist are removed from the index."""
        results = []
        for p in paths:
            folder = Path(p)
            if not folder.is_dir():
                continue
            prefix = str(folder.resolve()) + "/"
            for known in self.catalog.files():
                if known.startswith(prefix) and not Path(known).exists():
                    self.remove_file(known)
                    results.append(FileResult(known, "removed"))
        return results

    def remove_file(self, key: str) -> list[str]:
        ids = self.catalog.forget_file(key)
        gone = self.catalog.unreferenced(ids)
        self._drop(gone)
        return gone

    def remove_article(self, article_id: str) -> None:
        self._drop([article_id])
        with self.catalog.transaction() as conn:
            conn.execute("DELETE FROM file_articles WHERE article_id = ?", (article_id,))

    def _drop(self, article_ids: Sequence[str]) -> None:
        if article_ids:
            self.store.delete_articles(list(article_ids))
            self.catalog.remove_articles(list(article_ids))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
