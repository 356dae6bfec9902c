"""A small error hierarchy; only the CLI and the UI turn these into exit codes or friendly text."""


class AssistantError(Exception):
    """Base class for every error the assistant raises on purpose."""


class ConfigError(AssistantError):
    """A setting has a value the assistant cannot use."""


class CorpusError(AssistantError):
    """An input file or record cannot be turned into an article."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexError_(AssistantError):
    """The index (Chroma or the lexical index) cannot be read or written."""


class ModelError(AssistantError):
    """A model (embedder or LLM) cannot be loaded or fails while running."""
