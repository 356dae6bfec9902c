"""The only module that imports chromadb: chunk vectors in, Passages out.

Embedded ``PersistentClient`` under the data directory by default; a Chroma server when
``chroma_url`` or ``chroma_host`` is set. Embeddings always come from the project's embedder.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, Sequence
from urllib.parse import urlparse

from .config import Settings
from .errors import IndexError_
from .types import Chunk, Passage

log = logging.getLogger(__name__)

_UPSERT_BATCH = 2000


def day_number(published_at: str | None) -> int | None:
    """Days since 1970-01-01 for an ISO date/datetime, so date ranges can filter in Chroma."""
    if not published_at:
        return None
    try:
        return date.fromisoformat(published_at[:10]).toordinal() - date(1970, 1, 1).toordinal()
    except ValueError:
        return None


class ChromaStore:
    """Chunk vectors and their citation metadata in one Chroma collection."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._collection = None

    def describe(self) -> str:
        s = self.settings
        if s.chroma_url or s.chroma_host:
            return f"Chroma server at {s.chroma_url or f'http://{s.chroma_host}:{s.chroma_port}'} (collection {s.collection})"
        return f"embedded Chroma in {s.chroma_dir} (collection {s.collection})"

    @property
    def collection(self):
        if self._collection is None:
            self._collection = self._open()
        return self._collection

    def _open(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        s = self.settings
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if s.chroma_url or s.chroma_host:
                host, port, ssl = s.chroma_host, s.chroma_port, False
                if s.chroma_url:
                    url = urlparse(s.chroma_url)
                    host, ssl = url.hostname, url.scheme == "https"
                    port = url.port or (443 if ssl else 80)
                client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
            else:
                s.chroma_dir.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(s.chroma_dir), settings=chroma_settings)
            return client.get_or_create_collection(
                s.collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        except Exception as exc:
            raise IndexError_(f"cannot open {self.describe()}: {exc}") from exc

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]], meta: Sequence[dict[str, Any]]) -> None:
        """Store chunks with their vectors; ``meta`` holds the article fields each passage needs to be cited."""
        for i in range(0, len(chunks), _UPSERT_BATCH):
            part = slice(i, i + _UPSERT_BATCH)
            self.collection.upsert(
                ids=[c.id for c in chunks[part]],
                embeddings=[list(e) for e in embeddings[part]],
                documents=[c.text for c in chunks[part]],
                metadatas=[_metadata(c, m) for c, m in zip(chunks[part], meta[part])],
            )

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        for i in range(0, len(article_ids), 500):
            self.collection.delete(where={"article_id": {"$in": list(article_ids[i : i + 500])}})

    def delete_chunks(self, chunk_ids: Sequence[str]) -> None:
        ids = list(chunk_ids)
        for i in range(0, len(ids), 500):
            self.collection.delete(ids=ids[i : i + 500])

    def article_ids(self) -> set[str]:
        found = self.collection.get(include=["metadatas"])
        return {m["article_id"] for m in found["metadatas"] or []}

    def count(self) -> int:
        return self.collection.count()

    def nearest(self, embedding: Sequence[float], k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """The ids of the k nearest chunks (fewer when the collection holds fewer), best first, with their
        cosine similarity. Ids only: fetching each hit's text and metadata costs more than the search
        itself, and retrieval reads the few passages it keeps with ``get``."""
        found = self.collection.query(query_embeddings=[list(embedding)], n_results=k, where=where or None,
                                      include=["distances"])
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(found["ids"][0], found["distances"][0])]

    def get(self, chunk_ids: Sequence[str]) -> list[Passage]:
        if not chunk_ids:
            return []
        found = self.collection.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        by_id = {cid: passage_from(cid, doc, meta) for cid, doc, meta in zip(found["ids"], found["documents"], found["metadatas"])}
        return [by_id[c] for c in chunk_ids if c in by_id]


def _metadata(chunk: Chunk, meta: dict[str, Any]) -> dict[str, Any]:
    out = {
        "article_id": chunk.article_id,
        "ordinal": chunk.ordinal,
        "start": chunk.start,
        "end": chunk.end,
        "heading": chunk.heading,
        "title": meta.get("title"),
        "source": meta.get("source"),
        "published_at": meta.get("published_at"),
        "day": day_number(meta.get("published_at")),
        "url": meta.get("url"),
    }
    return {k: v for k, v in out.items() if v is not None}  # Chroma stores no None values


def passage_from(chunk_id: str, text: str, meta: dict[str, Any]) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        article_id=meta["article_id"],
        text=text,
        title=meta.get("title", ""),
        source=meta.get("source"),
        published_at=meta.get("published_at"),
        url=meta.get("url"),
        heading=meta.get("heading"),
        ordinal=int(meta.get("ordinal", 0)),
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", 0)),
    )
