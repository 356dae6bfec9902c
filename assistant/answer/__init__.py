"""Passages -> Answer: extractive or LLM-written, then every sentence checked against what it cites."""
