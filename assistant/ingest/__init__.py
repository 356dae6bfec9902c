"""Ingest: article files -> Article (load), Article -> Chunk (chunk), chunks -> index (index)."""
