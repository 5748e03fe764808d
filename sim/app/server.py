"""HTTP routes of ``sim app`` on the standard library's threading HTTP server.

=======================  ====================================================================
``GET /``                the page (:mod:`sim.app.page`)
``GET /api/scenarios``   names of the scenario files of the folder
``GET /api/scenario``    ``?name=``: title, levers, parameter sliders
``POST /api/run``        ``{name, runs, levers, params}``: starts a job -> ``{id}`` (409 if busy)
``GET /api/job``         ``?id=``: progress, then the result (cards, figures)
``POST /api/variant``    ``{name, levers, params}`` -> ``{file, text}``: the ``extends:`` YAML
``GET /report``          ``?job=``: the full HTML report of that job's what-if
``GET /files/<name>``    the text of a scenario file of the folder
=======================  ====================================================================

Anything else is 404. Requests must name this server in ``Host`` (no DNS rebinding); POST
bodies must be JSON (no cross-site form posts) of at most 1 MiB. File names from the browser
only ever select among :func:`sim.app.files.list_scenarios`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sim.app import files
from sim.app.controls import WhatIf
from sim.app.jobs import Busy, Workbench
from sim.app.page import app_page, header_csp
from sim.core.errors import SimUserError

MAX_BODY = 1 << 20
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class HttpError(Exception):
    """An answer other than 200: status and a message for the page."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class AppServer(ThreadingHTTPServer):
    """The server: knows its workbench and which Host headers name it."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], bench: Workbench, quiet: bool = False) -> None:
        super().__init__(address, Handler)
        self.bench = bench
        self.quiet = quiet

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def allowed_hosts(self) -> set[str]:
        host, port = str(self.server_address[0]), self.server_address[1]
        names = {host, "localhost", "127.0.0.1", "[::1]"}
        return {f"{n}:{port}" for n in names}


class Handler(BaseHTTPRequestHandler):
    """One request: check the Host, route, answer JSON, HTML or text."""

    server: AppServer
    server_version = "sim-app"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.quiet:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def do_GET(self) -> None:
        self._answer(self._get)

    def do_POST(self) -> None:
        self._answer(self._post)

    def _answer(
        self, route: Callable[[str, dict[str, list[str]]], tuple[str, bytes, dict[str, str]]]
    ) -> None:
        try:
            if self.headers.get("Host", "") not in self.server.allowed_hosts():
                raise HttpError(HTTPStatus.MISDIRECTED_REQUEST, "unknown Host")
            parts = urlsplit(self.path)
            ctype, body, extra = route(parts.path, parse_qs(parts.query))
            self._send(HTTPStatus.OK, ctype, body, extra)
        except HttpError as err:
            self._json(err.status, {"error": str(err)})
        except SimUserError as err:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "; ".join(str(p) for p in err.problems)})
        except files.NotInFolder:
            self._json(HTTPStatus.NOT_FOUND, {"error": "no such scenario file in this folder"})
        except Busy as err:
            self._json(HTTPStatus.CONFLICT, {"error": str(err)})

    def _send(self, status: HTTPStatus, ctype: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: HTTPStatus, data: Any) -> None:
        self._send(status, "application/json", json.dumps(data).encode())

    # ---- routes ------------------------------------------------------------------------------

    def _get(self, path: str, query: dict[str, list[str]]) -> tuple[str, bytes, dict[str, str]]:
        bench = self.server.bench
        if path == "/":
            page = app_page(bench.root.name)
            csp = header_csp(page, own_server=True)
            return "text/html; charset=utf-8", page.encode(), {"Content-Security-Policy": csp}
        if path == "/api/scenarios":
            return _json_body({"folder": bench.root.name, "scenarios": bench.scenarios()})
        if path == "/api/scenario":
            return _json_body(bench.controls(_arg(query, "name")))
        if path == "/api/job":
            try:
                return _json_body(bench.job(_arg(query, "id")).status())
            except KeyError:
                raise HttpError(HTTPStatus.NOT_FOUND, "no such job") from None
        if path == "/report":
            try:
                report = bench.report(_arg(query, "job"))
            except KeyError:
                raise HttpError(HTTPStatus.NOT_FOUND, "no finished run with that id") from None
            csp = header_csp(report, own_server=False)
            return "text/html; charset=utf-8", report.encode(), {"Content-Security-Policy": csp}
        if path.startswith("/files/"):
            real = files.resolve(bench.root, unquote(path.removeprefix("/files/")))
            text = real.read_bytes()
            return "text/plain; charset=utf-8", text, {"Content-Security-Policy": "default-src 'none'"}
        raise HttpError(HTTPStatus.NOT_FOUND, "not found")

    def _post(self, path: str, query: dict[str, list[str]]) -> tuple[str, bytes, dict[str, str]]:
        bench = self.server.bench
        data = self._body()
        what_if = WhatIf.from_json(data)
        if path == "/api/run":
            return _json_body(bench.start(data.get("name"), data.get("runs"), what_if).status())
        if path == "/api/variant":
            name, text = bench.variant_file(data.get("name"), what_if)
            return _json_body({"file": name, "text": text})
        raise HttpError(HTTPStatus.NOT_FOUND, "not found")

    def _body(self) -> dict[str, Any]:
        if self.headers.get_content_type() != "application/json":
            raise HttpError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise HttpError(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
        if not 0 < length <= MAX_BODY:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body missing or above 1 MiB")
        try:
            data = json.loads(self.rfile.read(length))
        except (ValueError, UnicodeDecodeError):
            raise HttpError(HTTPStatus.BAD_REQUEST, "invalid JSON") from None
        if not isinstance(data, dict):
            raise HttpError(HTTPStatus.BAD_REQUEST, "expected a JSON object")
        return data


def _arg(query: dict[str, list[str]], key: str) -> str:
    values = query.get(key)
    if not values:
        raise HttpError(HTTPStatus.BAD_REQUEST, f"missing ?{key}=")
    return values[0]


def _json_body(data: Any) -> tuple[str, bytes, dict[str, str]]:
    return "application/json", json.dumps(data).encode(), {}


def make_server(
    root: Path, host: str = "127.0.0.1", port: int = 0, workers: int | None = None, quiet: bool = False
) -> AppServer:
    """A server bound to ``host:port`` (port 0: a free one) for the scenario folder ``root``."""
    return AppServer((host, port), Workbench(root, workers=workers), quiet=quiet)
