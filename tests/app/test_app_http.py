"""The app's server as an attacker sees it: crafted paths, names, hosts and bodies reach nothing
outside the scenario folder. Real server process, raw HTTP."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests_app_helpers import SECRET_MARK, request

TRAVERSALS = [
    "/files/../outside/secret.txt",
    "/files/..%2Foutside%2Fsecret.txt",
    "/files/%2e%2e/outside/secret.txt",
    "/files/%2e%2e%2foutside%2fsecret.yaml",
    "/files/%252e%252e%252foutside%252fsecret.yaml",
    "/files//etc/passwd",
    "/files/%2Fetc%2Fpasswd",
    "/files/%2F..%2F..%2Foutside%2Fsecret.yaml",
    "/files/link.yaml",
    "/files/sub/uplink/secret.yaml",
    "/files/sub%2Fuplink%2Fsecret.yaml",
    "/files/sub/../../outside/secret.yaml",
    "/files/sub\\..\\..\\outside\\secret.yaml",
    "/files/mini.yaml%00.txt",
    "/files/",
    "/../outside/secret.txt",
    "/%2e%2e/outside/secret.txt",
    "/outside/secret.txt",
    "/etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_leaves_the_folder(app_server: str, path: str) -> None:
    status, text = request(app_server, "GET", path)
    assert status == 404, (path, status)
    assert SECRET_MARK not in text and "root:" not in text


@pytest.mark.parametrize(
    "name",
    ["../outside/secret.yaml", "/etc/passwd", "link.yaml", "sub/uplink/secret.yaml", "", "mini.yaml/.."],
)
def test_no_scenario_name_leaves_the_folder(app_server: str, name: str) -> None:
    status, text = request(app_server, "GET", "/api/scenario?name=" + name.replace("/", "%2F"))
    assert status in (400, 404) and SECRET_MARK not in text
    status, text = request(app_server, "POST", "/api/run", {"name": name, "runs": 100})
    assert status in (400, 404) and SECRET_MARK not in text
    status, text = request(app_server, "POST", "/api/variant", {"name": name})
    assert status in (400, 404) and SECRET_MARK not in text


def test_listing_holds_only_files_inside(app_server: str, app_folder: Path) -> None:
    status, text = request(app_server, "GET", "/api/scenarios")
    assert status == 200
    names = json.loads(text)["scenarios"]
    assert names == ["escape.yaml", "mini.yaml", "mini_forbid_strike.yaml", "sub/nested.yaml"]
    status, text = request(app_server, "GET", "/files/sub/nested.yaml")
    assert status == 200 and text == (app_folder / "sub" / "nested.yaml").read_text()


def test_extends_cannot_reach_outside(app_server: str) -> None:
    status, text = request(app_server, "GET", "/api/scenario?name=escape.yaml")
    assert status == 400 and SECRET_MARK not in text
    assert "outside" in text or "root" in text


def test_foreign_host_bad_bodies_and_unknown_routes(app_server: str) -> None:
    assert request(app_server, "GET", "/api/scenarios", headers={"Host": "evil.example"})[0] == 421
    plain = {"Content-Type": "text/plain"}
    assert request(app_server, "POST", "/api/run", b'{"name": "mini.yaml"}', plain)[0] == 415
    assert request(app_server, "POST", "/api/run", b"{not json")[0] == 400
    assert request(app_server, "POST", "/api/run", {"name": "mini.yaml", "runs": 10**9})[0] == 400
    bad_param = {"name": "mini.yaml", "runs": 100, "params": {"no.such.path": {"centre": 1, "spread": 0}}}
    assert request(app_server, "POST", "/api/run", bad_param)[0] == 400
    assert request(app_server, "GET", "/api/job?id=nope")[0] == 404
    assert request(app_server, "GET", "/report?job=nope")[0] == 404
    assert request(app_server, "DELETE", "/")[0] == 501


def test_page_headers(app_server: str) -> None:
    parts = urlsplit(app_server)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", "/")
    res = conn.getresponse()
    body = res.read().decode()
    assert res.status == 200
    csp = res.getheader("Content-Security-Policy") or ""
    assert "connect-src 'self'" in csp and "default-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]  # hashed scripts only
    assert csp.count("'sha256-") == 2 and "frame-ancestors 'none'" in csp
    assert res.getheader("X-Content-Type-Options") == "nosniff"
    assert "cdn" not in body.lower().split("<script>")[0] and "https://" not in body.split("<body")[1]
