"""The whole web app (API, guide files, Gradio) served in-process by uvicorn on a free loopback port."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from assistant.web.app import create_app
from assistant.web.context import WebContext


class _Server(uvicorn.Server):
    """uvicorn's server, telling when it listens (an event to wait on, not a flag to poll)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.up = threading.Event()

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        self.up.set()


@contextmanager
def serve(settings, assistant=None, timeout: float = 30) -> Iterator[str]:
    """The app in a thread; yields its base URL (the `assistant` facade shared, if given)."""
    app = create_app(settings, WebContext(settings, assistant=assistant))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        if not server.up.wait(timeout):
            raise RuntimeError(f"the app did not start within {timeout:g} s (alive: {thread.is_alive()})")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
