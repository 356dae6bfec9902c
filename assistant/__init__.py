"""Briefing assistant: cited answers over a collection of news articles.

The data path: file -> Article -> Chunks -> Chroma (+ lexical index) -> Passages -> Answer -> UI / evals / CLI.
"""

__version__ = "0.1.0"
