"""Serve the Flask app over real HTTP in a background thread (for the browser and webhooks)."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server

from tests.support.net import free_port, port_open, wait_until


class LiveServer:
    def __init__(self, app, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.app = app
        self.host = host
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        self._server = make_server(host, self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="live-server", daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        wait_until(lambda: port_open(self.host, self.port), what=f"live server on {self.url}")
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __call__(self, path: str = "/") -> str:
        """live_server("/p/demo") -> absolute URL."""
        return self.url + (path if path.startswith("/") else "/" + path)
