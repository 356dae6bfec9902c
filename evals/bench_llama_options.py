#!/usr/bin/env python3
"""Prompt processing speed of the local model under llama.cpp options, side by side in one run.

The time to the first answer token is spent reading the prompt: the cached system prompt, then the
question's evidence and the question. This loads the model once per option set and times reading the
same answer prompt (evidence from the fictional corpus, about 320 tokens after the cached system
prompt), the option sets taking turns so that machine noise falls on all of them alike. For a packaged
model, the packaged file and its Q8_0 copy (BRIEFING_LLM_QUANT=q8_0) are both timed with llama.cpp's
default options; the first line says whether this llama.cpp has AMX kernels, with which the copy is faster.

    python evals/bench_llama_options.py [--reps 4] [--model 1.5b|0.5b|PATH] [--out evals/results/llama_options.txt]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.answer.prompts import ANSWER_SYSTEM, ANSWER_USER  # noqa: E402
from benchlib import emit  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.llm import PACKAGED_MODELS, llama_has_amx, model_file, resolve_model_path  # noqa: E402

GGML_TYPE_Q8_0 = 8
OPTIONS = {
    "packaged file, default options": {},
    "flash attention": {"flash_attn": True},
    "batch 256": {"n_batch": 256, "n_ubatch": 256},
    "flash attention + q8_0 KV cache": {"flash_attn": True, "type_k": GGML_TYPE_Q8_0, "type_v": GGML_TYPE_Q8_0},
}
ARTICLE = HERE / "fictional" / "corpus" / "2026-03-04-dam-breach-floods-dunmarrow.md"


def evidence(chars: int = 2200) -> str:
    body = ARTICLE.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
    return "[1] The Marrent Ledger, March 4, 2026 \u2014 Harlow Gap Dam breach\n" + " ".join(body.split())[:chars]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=4)
    ap.add_argument("--model", default="1.5b", help="1.5b, 0.5b or a path to a GGUF file")
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)
    from llama_cpp import Llama

    settings = Settings.from_env(llm="local", llm_model=args.model, llm_quant="packaged")
    path = str(resolve_model_path(settings))
    files = {name: (path, opts) for name, opts in OPTIONS.items()}
    spec = PACKAGED_MODELS.get(args.model.lower())
    if spec is not None:
        files["Q8_0 copy, default options"] = (str(model_file(spec, Path(path), "q8_0")), {})
    models = {name: Llama(model_path=file, n_ctx=4096, n_threads=settings.threads, n_threads_batch=settings.threads,
                          verbose=False, **opts) for name, (file, opts) in files.items()}
    first = next(iter(models.values()))
    system = f"<|im_start|>system\n{ANSWER_SYSTEM}<|im_end|>\n<|im_start|>user\n"
    user = ANSWER_USER.format(evidence=evidence(), question="How many people were evacuated from Dunmarrow?", hints="")
    user += "<|im_end|>\n<|im_start|>assistant\n"
    system_tokens = first.tokenize(system.encode(), add_bos=False, special=True)
    user_tokens = first.tokenize(user.encode(), add_bos=False, special=True)
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.reps):
        for name, llm in models.items():
            llm.reset()
            llm.eval(system_tokens)  # the cached prefix, as in the assistant
            started = time.perf_counter()
            llm.eval(user_tokens)
            times[name].append(time.perf_counter() - started)
    base = statistics.median(times[next(iter(models))])
    lines = [f"model {Path(path).name}, {settings.threads} threads, llama.cpp with AMX kernels: "
             f"{'yes' if llama_has_amx() else 'no'}; prompt after the cached system prompt: "
             f"{len(user_tokens)} tokens; {args.reps} rounds, option sets taking turns"]
    for name, ts in times.items():
        p50 = statistics.median(ts)
        lines.append(f"{name:<36} median {p50:5.2f} s  ({len(user_tokens) / p50:5.1f} tokens/s)  ratio to default {p50 / base:4.2f}"
                     f"  runs {', '.join(f'{t:.2f}' for t in ts)}")
    emit(lines, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
