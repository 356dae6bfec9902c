"""Deterministic fakes shared by test modules (pytest puts this folder on sys.path: ``from fakes import ...``)."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import Field


class RecordingChatModel(GenericFakeChatModel):
    """GenericFakeChatModel that also keeps the messages of every call (its _stream goes through _generate)."""

    calls: list[list[BaseMessage]] = Field(default_factory=list)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs: Any):
        self.calls.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def reply(*texts: str) -> RecordingChatModel:
    """A recording fake that answers its calls with ``texts`` in turn."""
    return RecordingChatModel(messages=iter([AIMessage(content=t) for t in texts]))


class StartRecordingModel(RecordingChatModel):
    """A fake that, like the local model, can be told how its reply must start; records what it was told."""

    can_force_start: bool = True
    starts: list[Any] = Field(default_factory=list)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs: Any):
        self.starts.append(kwargs.get("starts"))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


class LogOddsModel(StartRecordingModel):
    """A fake that, like the local model, tells its log-odds of starting with one word rather than another."""

    logodds: float = 0.0
    asked: list[Any] = Field(default_factory=list)

    def start_logodds(self, messages, words):
        self.asked.append((messages[-1].content, words))
        return self.logodds
