"""One frozen Settings object, built once at the entry point from the environment
(``BRIEFING_*``) and an optional TOML file, then passed down. Nothing here touches disk at import."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError

LLM_BACKENDS = ("local", "openai", "none")


def _default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "briefing-assistant"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: _default_data_dir(os.environ))
    model_dir: Path | None = None  # where joined GGUF files live; default data_dir/models
    # Vector store: embedded under data_dir unless a server is configured.
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8000
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = "articles"
    # Embedding.
    embed_model: str = "all-MiniLM-L6-v2"  # the packaged model, or a local path to a sentence-transformers model
    embed_dtype: str = "bfloat16"  # "bfloat16" or "float32"
    embed_batch: int = 32
    threads: int = 2
    # Chunking, in the embedder's word pieces.
    chunk_tokens: int = 200
    chunk_overlap_tokens: int = 0
    # Ingest.
    max_file_mb: float = 50.0
    near_duplicate_threshold: float = 0.8  # estimated Jaccard similarity of word 5-grams
    # Retrieval and answering.
    top_k: int = 6
    llm: str = "local"
    llm_model: str = "1.5b"  # "1.5b", "0.5b", or a path to any GGUF file
    # A packaged model as shipped ("packaged", Q4_K_M), or as a Q8_0 copy made once from it ("q8_0"): with
    # llama.cpp's AMX kernels the copy reads a prompt faster, but answered the fictional set worse (RESULTS.md).
    llm_quant: str = "packaged"
    llm_ctx: int = 4096
    llm_max_tokens: int = 200
    evidence_tokens: int = 350  # the LLM's evidence block, in rough tokens: fewer is a quicker first token
    answer_check: bool = True  # after answering, the model is asked whether the passages really answer the question
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_api_key: str | None = None
    # Serving.
    host: str = "127.0.0.1"
    port: int = 7860
    auth_user: str | None = None
    auth_password: str | None = None
    open_access: bool = False  # listen beyond localhost without credentials

    def __post_init__(self) -> None:
        if self.llm not in LLM_BACKENDS:
            raise ConfigError(f"BRIEFING_LLM must be one of {', '.join(LLM_BACKENDS)}, not {self.llm!r}")
        if self.embed_dtype not in ("bfloat16", "float32"):
            raise ConfigError(f"BRIEFING_EMBED_DTYPE must be bfloat16 or float32, not {self.embed_dtype!r}")
        if not 32 <= self.chunk_tokens <= 256:
            raise ConfigError(f"BRIEFING_CHUNK_TOKENS must be between 32 and 256 (the embedder's window), not {self.chunk_tokens}")
        if not 0 <= self.chunk_overlap_tokens < self.chunk_tokens // 2:
            raise ConfigError(f"BRIEFING_CHUNK_OVERLAP_TOKENS must be between 0 and half the chunk size, not {self.chunk_overlap_tokens}")
        if self.top_k < 1:
            raise ConfigError(f"BRIEFING_TOP_K must be at least 1, not {self.top_k}")
        if self.llm_quant not in ("packaged", "q8_0"):
            raise ConfigError(f"BRIEFING_LLM_QUANT must be packaged or q8_0, not {self.llm_quant!r}")
        if self.evidence_tokens < 50:
            raise ConfigError(f"BRIEFING_EVIDENCE_TOKENS must be at least 50, not {self.evidence_tokens}")
        if self.max_file_mb <= 0:
            raise ConfigError(f"BRIEFING_MAX_FILE_MB must be positive, not {self.max_file_mb}")

    # Derived locations (computed, never created here).
    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def models_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Settings from ``BRIEFING_CONFIG`` (a TOML file, optional), then ``BRIEFING_*`` variables,
        then explicit overrides, each layer winning over the one before."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        config_file = env.get("BRIEFING_CONFIG")
        if config_file:
            path = Path(config_file)
            try:
                values.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except FileNotFoundError:
                raise ConfigError(f"BRIEFING_CONFIG points at {path}, which does not exist") from None
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"BRIEFING_CONFIG {path} is not valid TOML: {exc}") from None
        for f in dataclasses.fields(cls):
            key = "BRIEFING_" + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        if "data_dir" not in values:
            values["data_dir"] = _default_data_dir(env)
        return cls(**{name: _coerce(cls, name, value) for name, value in values.items()})


def _coerce(cls: type, name: str, value: Any) -> Any:
    """Turn a string from the environment into the field's type, naming the bad value if it fails."""
    default = {f.name: f for f in dataclasses.fields(cls)}[name]
    kind = default.type if isinstance(default.type, str) else str(default.type)
    if value is None or not isinstance(value, str):
        return Path(value) if name in ("data_dir", "model_dir") and value is not None else value
    try:
        if kind in ("Path", "Path | None"):
            return Path(value).expanduser() if value else None
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(value)
        if "None" in kind and value == "":
            return None
    except ValueError:
        raise ConfigError(f"BRIEFING_{name.upper()}={value!r} is not a valid {kind}") from None
    return value
