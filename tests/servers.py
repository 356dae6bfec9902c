"""Starting and stopping the real servers the slow tests talk to (chroma run, llama_cpp.server, the app).

``serving`` starts a command, waits until a URL answers 200, yields the process, and stops it by its
PID (SIGTERM, then SIGKILL after 20 s), showing the end of its log if it never became ready.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def serving(command: Sequence[str], ready_url: str, log_path: Path, timeout: float = 180, **popen) -> Iterator[subprocess.Popen]:
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(list(command), stdout=log, stderr=subprocess.STDOUT, **popen)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{command[0]} exited with {proc.returncode}: {_tail(log_path)}")
                try:
                    with urllib.request.urlopen(ready_url, timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{ready_url} did not answer within {timeout:.0f} s: {_tail(log_path)}")
                time.sleep(0.3)
            yield proc
        finally:
            stop(proc)


def _tail(path: Path) -> str:
    return Path(path).read_text(errors="replace")[-2000:]
