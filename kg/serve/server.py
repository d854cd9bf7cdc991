"""The HTTP server: a stdlib ThreadingHTTPServer around an Endpoint, with a deep listen backlog, an idle
timeout per connection and total deadlines for a request's headers and body (slowloris).
"""
from __future__ import annotations

import io
import logging
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import ServeError
from .base import (DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_RESULTS,
                   DEFAULT_PORT, DEFAULT_TIMEOUT, DEFAULT_WORKERS, LISTEN_BACKLOG, SPARQL_PATH, Request, Response,
                   error)
from .endpoint import Endpoint
from .workers import QueryRunner

log = logging.getLogger("kg.serve")


class _Deadline(io.RawIOBase):
    """A connection's socket as a raw stream whose reads end at a deadline. Each wait for bytes lasts at
    most the idle timeout and never past the deadline, so a client that sends a byte every few seconds
    (slowloris) is cut off when its time is up, however often it sends: a TimeoutError, which the
    handler takes as the end of the connection."""

    def __init__(self, sock, idle: float):
        self._sock = sock
        self._idle = idle
        self._deadline: float | None = None
        self._arm: float | None = None  # seconds the request may take from its first byte

    def readable(self) -> bool:
        return True

    def expect_request(self, headers_within: float) -> None:
        """The next bytes open a request: its line and headers must be in within this many seconds."""
        self._deadline, self._arm = None, headers_within

    def expect_body(self, within: float) -> None:
        self._deadline, self._arm = time.monotonic() + within, None

    def readinto(self, buf) -> int:
        wait = self._idle
        if self._deadline is not None:
            wait = min(wait, self._deadline - time.monotonic())
            if wait <= 0:
                raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(wait)
        n = self._sock.recv_into(buf)
        if n and self._arm is not None:
            self._deadline, self._arm = time.monotonic() + self._arm, None
        return n


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "ofsted-kg"

    def _dispatch(self) -> None:
        endpoint = self.server.endpoint
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > endpoint.max_body:
            self.close_connection = True
            self._send(error(413, f"request body must be 0 to {endpoint.max_body} bytes"))
            return
        self._raw.expect_body(self.server.body_timeout)
        try:
            body = self.rfile.read(length) if length else b""
        except (TimeoutError, ConnectionError):
            self.close_connection = True  # a client that stops sending (or hangs up) mid-body
            return
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = endpoint.handle(Request(self.command, url.path, url.query, headers, body))
        try:
            self._send(response)
        except (TimeoutError, ConnectionError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout  # a connection silent this long is closed
        super().setup()
        self.rfile.close()  # the socket's own reader, replaced by one with deadlines (slowloris)
        self._raw = _Deadline(self.connection, self.server.idle_timeout)
        self.rfile = io.BufferedReader(self._raw)

    def handle_one_request(self) -> None:
        self._raw.expect_request(self.server.header_timeout)
        super().handle_one_request()

    def _send(self, response: Response) -> None:
        self.connection.settimeout(self.server.idle_timeout)  # a write may wait as long as a silent read
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for k, v in response.headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args) -> None:
        log.info("%s %s", self.address_string(), format % args)


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG  # socketserver's default of 5 resets connections in a burst

    def __init__(self, address, endpoint: Endpoint, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
                 header_timeout: float = DEFAULT_HEADER_TIMEOUT, body_timeout: float = DEFAULT_BODY_TIMEOUT):
        self.endpoint = endpoint
        self.idle_timeout = idle_timeout  # a connection silent this long is closed
        self.header_timeout = header_timeout  # a request's line and headers: this long from its first byte
        self.body_timeout = body_timeout  # its body: this long once the headers are in
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{SPARQL_PATH}"

    @property
    def home_url(self) -> str:
        """The web view's home page (kg.web)."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


def open_server(store: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                timeout: float = DEFAULT_TIMEOUT, max_results: int = DEFAULT_MAX_RESULTS,
                workers: int = DEFAULT_WORKERS, max_bytes: int = DEFAULT_MAX_BYTES,
                max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
                idle_timeout: float = DEFAULT_IDLE_TIMEOUT, header_timeout: float = DEFAULT_HEADER_TIMEOUT,
                body_timeout: float = DEFAULT_BODY_TIMEOUT) -> SparqlServer:
    """Open the store read-only and bind the endpoint (port 0 picks a free port). Call
    `serve_forever()` on the result, and `close_server()` when done. A connection is closed when it is
    silent for `idle_timeout` s, when a request's line and headers take more than `header_timeout` s
    from its first byte, or its body more than `body_timeout` s."""
    runner = QueryRunner(store, timeout=timeout, max_results=max_results, workers=workers,
                         max_bytes=max_bytes, max_memory_mb=max_memory_mb)
    try:
        return SparqlServer((host, port), Endpoint(runner, store_label=str(store)), idle_timeout=idle_timeout,
                            header_timeout=header_timeout, body_timeout=body_timeout)
    except OSError as e:
        runner.close()
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None


def close_server(server: SparqlServer) -> None:
    """Stop listening and stop the query workers."""
    server.server_close()
    runner = server.endpoint.runner
    if hasattr(runner, "close"):
        runner.close()
