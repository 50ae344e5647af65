"""The gateway app served over real HTTP (werkzeug, threaded), for tests that need a socket."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from werkzeug.serving import make_server

from gateway.app import close_app, create_app
from processors.settings import get_settings
from tools.stack.procs import free_port


@contextlib.contextmanager
def serving_gateway(port: int | None = None, config: Mapping[str, Any] | None = None) -> Iterator[str]:
    """A fresh gateway app on ``port`` (a free one by default), ``config`` over its defaults; yields its base
    URL. Leaving stops the feed too, which closes every WebSocket: to a browser, a gateway that went away."""
    app = create_app(config)
    host = get_settings().host
    server = make_server(host, port or free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.port}"
    finally:
        server.shutdown()
        close_app(app)
        server.server_close()
