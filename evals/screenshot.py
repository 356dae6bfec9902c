"""Start the web app on the fictional corpus, ask a real question in Chromium, and save docs/screenshot.png.

    python evals/screenshot.py [--question "..."] [--out docs/screenshot.png] [--mode extractive|llm]

Uses the real embedder; BRIEFING_LLM decides the answer mode unless --mode is given (default: extractive,
so the picture needs no local LLM). Needs Debian's Chromium at /usr/bin/chromium and the playwright package.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTION = "Who was appointed to lead the inquiry into the Harlow Gap Dam failure, and when?"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    parser.add_argument("--mode", choices=["extractive", "llm"], default="extractive")
    parser.add_argument("--corpus", default=str(ROOT / "evals" / "fictional" / "corpus"))
    args = parser.parse_args()
    for key, value in {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
                       "ANONYMIZED_TELEMETRY": "False"}.items():
        os.environ.setdefault(key, value)

    from playwright.sync_api import sync_playwright

    from assistant.config import Settings
    from assistant.pipeline import Assistant
    from assistant.ui.app import build_app, launch

    with tempfile.TemporaryDirectory(prefix="briefing-shot-") as tmp:
        settings = Settings.from_env(data_dir=Path(tmp) / "data", llm="none" if args.mode == "extractive" else None)
        assistant = Assistant(settings)
        print(assistant.ingest([args.corpus]).summary())
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        app = build_app(assistant, settings)
        _, url, _ = launch(app, settings, block=False, port=port, quiet=True)
        try:
            with sync_playwright() as driver:
                context = driver.chromium.launch_persistent_context(
                    str(Path(tmp) / "profile"), executable_path="/usr/bin/chromium", headless=True, args=BROWSER_ARGS,
                    viewport={"width": 1440, "height": 960}, device_scale_factor=1)
                page = context.pages[0] if context.pages else context.new_page()
                page.set_default_timeout(180_000)
                page.goto(url, wait_until="load")
                page.fill("#question textarea", args.question)
                page.click("#ask")
                page.wait_for_function(
                    "() => document.querySelector('#chat .brief-answer, #chat .brief-refusal')"
                    " && !document.querySelector('#chat .brief-draft, #chat .brief-pending')")
                link = page.locator("#chat a.cite")
                if link.count():
                    link.first.click()
                page.wait_for_timeout(800)
                out = Path(args.out)
                out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(out))
                context.close()
                print(f"wrote {out}")
        finally:
            app.close()
            assistant.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
