"""The catalog: one SQLite file beside the vector store that records what is indexed.

It holds the articles (with their text, for the viewer and the citation check), which files
produced which articles, near duplicates that were recorded instead of indexed, and a full-text
(FTS5, BM25-ranked) index of the chunks that stays in step with Chroma. An article is ``pending``
while its chunks are being written and ``ready`` once both indexes hold them, so an ingest killed
midway is completed by the next run without duplicates or orphans.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from .errors import IndexError_
from .store import day_number
from .types import Article, Chunk

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, source TEXT, published_at TEXT,
  day INTEGER, url TEXT, author TEXT, path TEXT, status TEXT NOT NULL, chunk_count INTEGER DEFAULT 0,
  signature BLOB, added_at TEXT DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER, mtime REAL, updated_at TEXT DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE IF NOT EXISTS file_articles (
  path TEXT NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (path, article_id));
CREATE INDEX IF NOT EXISTS file_articles_article ON file_articles(article_id);
CREATE TABLE IF NOT EXISTS duplicates (
  id TEXT PRIMARY KEY, duplicate_of TEXT NOT NULL, similarity REAL, path TEXT, title TEXT, source TEXT,
  published_at TEXT);
CREATE TABLE IF NOT EXISTS chunks (
  rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, article_id TEXT NOT NULL, ordinal INTEGER,
  start INTEGER, end INTEGER, heading TEXT, source TEXT, day INTEGER);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(title, heading, body, tokenize='porter unicode61');
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Words too common to help a lexical match.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just me more most my no nor not now of off on once only
    or other our out over own same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom why will with would
    you your yours article articles report reported reports according published news said says""".split()
)


def match_query(text: str) -> str:
    """An FTS5 OR-query of the text's content words (quoted, so no FTS syntax leaks through)."""
    words = []
    for word in re.findall(r"[\w][\w'\-]*", text.lower()):
        word = word.strip("'-")
        if word and word not in STOPWORDS and word not in words:
            words.append(word)
    return " OR ".join('"' + w.replace('"', "") + '"' for w in words)


@dataclass(frozen=True)
class ArticleRow:
    id: str
    title: str
    source: str | None
    published_at: str | None
    url: str | None
    path: str | None
    chunk_count: int
    status: str


class Catalog:
    """Thread-safe access to the catalog database (one connection, serialised by a lock)."""

    def __init__(self, path: Path):
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.executescript(_SCHEMA)
            except sqlite3.Error as exc:
                raise IndexError_(f"cannot open the catalog {self.path}: {exc}") from exc
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    # Files.
    def file(self, path: str) -> tuple[str, list[str]] | None:
        row = self._query("SELECT sha256 FROM files WHERE path = ?", (path,))
        if not row:
            return None
        ids = [r[0] for r in self._query("SELECT article_id FROM file_articles WHERE path = ?", (path,))]
        return row[0][0], ids

    def files(self) -> list[str]:
        return [r[0] for r in self._query("SELECT path FROM files ORDER BY path")]

    def set_file(self, path: str, sha256: str, size: int, mtime: float, article_ids: Sequence[str]) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO files(path, sha256, size, mtime) VALUES (?, ?, ?, ?)", (path, sha256, size, mtime)
            )
            conn.execute("DELETE FROM file_articles WHERE path = ?", (path,))
            conn.executemany(
                "INSERT OR IGNORE INTO file_articles(path, article_id) VALUES (?, ?)", [(path, a) for a in article_ids]
            )

    def forget_file(self, path: str) -> list[str]:
        """Drop a file's record; returns the article ids it referenced."""
        ids = [r[0] for r in self._query("SELECT article_id FROM file_articles WHERE path = ?", (path,))]
        with self.transaction() as conn:
            conn.execute("DELETE FROM files WHERE path = ?", (path,))
            conn.execute("DELETE FROM file_articles WHERE path = ?", (path,))
        return ids

    def unreferenced(self, article_ids: Sequence[str]) -> list[str]:
        """Those of ``article_ids`` that no file refers to any more."""
        out = []
        for aid in article_ids:
            if not self._query("SELECT 1 FROM file_articles WHERE article_id = ? LIMIT 1", (aid,)):
                out.append(aid)
        return out

    def paths_of(self, article_id: str) -> list[str]:
        return [r[0] for r in self._query("SELECT path FROM file_articles WHERE article_id = ? ORDER BY path", (article_id,))]

    # Articles.
    def status(self, article_id: str) -> str | None:
        row = self._query("SELECT status FROM articles WHERE id = ?", (article_id,))
        if row:
            return row[0][0]
        if self._query("SELECT 1 FROM duplicates WHERE id = ?", (article_id,)):
            return "duplicate"
        return None

    def mark_pending(self, articles: Sequence[Article]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO articles(id, title, body, source, published_at, day, url, author, path, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                [
                    (a.id, a.title, a.body, a.source, a.published_at, day_number(a.published_at), a.url, a.author, a.path)
                    for a in articles
                ],
            )

    def mark_ready(self, items: Sequence[tuple[Article, Sequence[Chunk], bytes]]) -> None:
        """Record chunks in the full-text index and flip the articles to ready, atomically."""
        with self.transaction() as conn:
            for article, chunks, signature in items:
                conn.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE article_id = ?)", (article.id,))
                conn.execute("DELETE FROM chunks WHERE article_id = ?", (article.id,))
                day = day_number(article.published_at)
                for c in chunks:
                    cur = conn.execute(
                        "INSERT INTO chunks(id, article_id, ordinal, start, end, heading, source, day) VALUES (?,?,?,?,?,?,?,?)",
                        (c.id, c.article_id, c.ordinal, c.start, c.end, c.heading, article.source, day),
                    )
                    conn.execute(
                        "INSERT INTO chunks_fts(rowid, title, heading, body) VALUES (?, ?, ?, ?)",
                        (cur.lastrowid, article.title, c.heading or "", c.text),
                    )
                conn.execute(
                    "UPDATE articles SET status = 'ready', chunk_count = ?, signature = ? WHERE id = ?",
                    (len(chunks), signature, article.id),
                )

    def pending(self) -> list[str]:
        return [r[0] for r in self._query("SELECT id FROM articles WHERE status = 'pending'")]

    def remove_articles(self, article_ids: Sequence[str]) -> None:
        with self.transaction() as conn:
            for aid in article_ids:
                conn.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT rowid FROM chunks WHERE article_id = ?)", (aid,))
                conn.execute("DELETE FROM chunks WHERE article_id = ?", (aid,))
                conn.execute("DELETE FROM articles WHERE id = ?", (aid,))
                conn.execute("DELETE FROM duplicates WHERE id = ? OR duplicate_of = ?", (aid, aid))

    def signatures(self) -> list[tuple[str, bytes]]:
        return self._query("SELECT id, signature FROM articles WHERE status = 'ready' AND signature IS NOT NULL")

    def add_duplicate(self, article: Article, duplicate_of: str, similarity: float) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO duplicates(id, duplicate_of, similarity, path, title, source, published_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (article.id, duplicate_of, similarity, article.path, article.title, article.source, article.published_at),
            )

    def duplicates(self) -> list[dict[str, Any]]:
        rows = self._query("SELECT id, duplicate_of, similarity, path, title, source, published_at FROM duplicates")
        keys = ("id", "duplicate_of", "similarity", "path", "title", "source", "published_at")
        return [dict(zip(keys, r)) for r in rows]

    def article(self, article_id: str) -> Article | None:
        rows = self._query(
            "SELECT id, title, body, source, published_at, url, author, path FROM articles WHERE id = ?", (article_id,)
        )
        return Article(*rows[0]) if rows else None

    def find_articles(self, prefix: str) -> list[str]:
        """Article ids starting with ``prefix`` (so a user may type a short id)."""
        return [r[0] for r in self._query("SELECT id FROM articles WHERE id LIKE ? ORDER BY id", (prefix + "%",))]

    def list_articles(
        self, outlet: str | None = None, since: str | None = None, until: str | None = None, text: str | None = None
    ) -> list[ArticleRow]:
        sql = "SELECT id, title, source, published_at, url, path, chunk_count, status FROM articles WHERE status = 'ready'"
        params: list[Any] = []
        if outlet:
            sql += " AND lower(source) = lower(?)"
            params.append(outlet)
        if since:
            sql += " AND day >= ?"
            params.append(day_number(since))
        if until:
            sql += " AND day <= ?"
            params.append(day_number(until))
        if text:
            sql += " AND (title LIKE ? OR body LIKE ?)"
            params += [f"%{text}%", f"%{text}%"]
        sql += " ORDER BY published_at DESC, title"
        return [ArticleRow(*r) for r in self._query(sql, params)]

    def outlets(self) -> list[tuple[str, int]]:
        return self._query(
            "SELECT source, count(*) FROM articles WHERE status = 'ready' AND source IS NOT NULL GROUP BY source ORDER BY source"
        )

    def counts(self) -> dict[str, int]:
        return {
            "articles": self._query("SELECT count(*) FROM articles WHERE status = 'ready'")[0][0],
            "chunks": self._query("SELECT count(*) FROM chunks")[0][0],
            "files": self._query("SELECT count(*) FROM files")[0][0],
            "duplicates": self._query("SELECT count(*) FROM duplicates")[0][0],
            "pending": self._query("SELECT count(*) FROM articles WHERE status = 'pending'")[0][0],
        }

    def chunk_texts(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """Chunk id -> text, read from the full-text index (no vector store round trip)."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._query(
            f"SELECT c.id, f.body FROM chunks c JOIN chunks_fts f ON f.rowid = c.rowid WHERE c.id IN ({marks})", list(chunk_ids)
        )
        return dict(rows)

    def data_version(self) -> int:
        """SQLite's count of commits made by other connections (another process's ingest or removal): it
        changes when what this process has cached about the catalog may be stale."""
        return self._query("PRAGMA data_version")[0][0]

    def chunk_facets(self) -> dict[str, tuple[str | None, int | None]]:
        """Chunk id -> (outlet, day number): what retrieval filters on."""
        return {cid: (source, day) for cid, source, day in self._query("SELECT id, source, day FROM chunks")}

    def chunk_ids(self) -> set[str]:
        return {r[0] for r in self._query("SELECT id FROM chunks")}

    def chunk_contents(self, article_id: str) -> dict[str, tuple[str | None, str]]:
        """Chunk id -> (heading, text) of one article, as stored."""
        rows = self._query("SELECT c.id, c.heading, f.body FROM chunks c JOIN chunks_fts f ON f.rowid = c.rowid "
                           "WHERE c.article_id = ?", (article_id,))
        return {cid: (heading, body) for cid, heading, body in rows}

    # Facts about the index itself (how its chunks were made).
    def meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # Lexical search.
    def search_text(
        self,
        query: str,
        k: int,
        sources: Sequence[str] | None = None,
        day_from: int | None = None,
        day_to: int | None = None,
        weights: tuple[float, float, float] = (2.0, 1.0, 1.0),
    ) -> list[tuple[str, float]]:
        """BM25-ranked (chunk id, score) pairs, best first; higher score is better."""
        expr = match_query(query)
        if not expr:
            return []
        sql = (
            f"SELECT c.id, -bm25(chunks_fts, {weights[0]}, {weights[1]}, {weights[2]}) AS score"
            " FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ?"
        )
        params: list[Any] = [expr]
        if sources:
            sql += f" AND c.source IN ({','.join('?' * len(sources))})"
            params += list(sources)
        if day_from is not None:
            sql += " AND c.day >= ?"
            params.append(day_from)
        if day_to is not None:
            sql += " AND c.day <= ?"
            params.append(day_to)
        sql += " ORDER BY bm25(chunks_fts, ?, ?, ?) LIMIT ?"
        params += [*weights, k]
        try:
            return [(r[0], float(r[1])) for r in self._query(sql, params)]
        except sqlite3.OperationalError as exc:
            raise IndexError_(f"full-text search failed for {query!r}: {exc}") from exc
