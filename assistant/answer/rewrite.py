"""Follow-up questions -> standalone questions, so retrieval sees what "there" and "he" refer to."""

from __future__ import annotations

import re
from typing import Any, Sequence

_FOLLOW_UP = re.compile(
    r"^(and|but|so|also|what about|how about|then)\b|\b(he|she|they|them|him|her|his|their|it|its|there|that|those|"
    r"these|this|then|the same)\b",
    re.I,
)


def needs_rewrite(question: str, history: Sequence[tuple[str, str]]) -> bool:
    return bool(history) and bool(_FOLLOW_UP.search(question))


def rewrite_question(question: str, history: Sequence[tuple[str, str]], chat_model: Any = None) -> str:
    """A standalone version of ``question``; unchanged when there is no history or nothing to resolve.

    With an LLM the model rewrites it; without one (or if it fails) the previous question's words are
    carried along, which is what retrieval needs to find the same subject again.
    """
    if not needs_rewrite(question, history):
        return question
    if chat_model is not None:
        from .chain import rewrite_with_llm

        try:
            rewritten = rewrite_with_llm(chat_model, question, history)
            if rewritten:
                return rewritten
        except Exception:  # the heuristic below still gives retrieval the subject
            pass
    previous = history[-1][0]
    return f"{question.rstrip()}{FOLLOWING_UP}{previous.strip()})"


FOLLOWING_UP = " (following up on: "


def asked_part(standalone: str) -> str:
    """The question itself, without the previous question rewrite_question carries along when no model
    rewrote it: what the answer checks read the question's kind and names from ("How long did she say
    ...?" asks for a duration, whatever the "Who is ...?" before it asked)."""
    return standalone.split(FOLLOWING_UP, 1)[0] if standalone.endswith(")") else standalone
