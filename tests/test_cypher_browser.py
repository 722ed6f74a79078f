"""Neo4j Browser's files at /browser: for this machine only, pointed at our Bolt URI, nothing else.

The web app itself comes from Maven Central (`make browser`); these tests use a stand-in folder
so they do not depend on the download. That the real app logs in over Bolt and runs queries
was checked by hand in headless Chromium (docs/cypher.md).
"""

from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from eventgraph.api import browser
from eventgraph.api.app import create_app
from eventgraph.graph.settings import Settings

LOOPBACK = ("127.0.0.1", 50000)
ELSEWHERE = ("192.0.2.10", 50000)


@pytest.fixture
def browser_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "browser"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<title>Neo4j Browser</title>")
    (root / "assets" / "app.js").write_text("// app")
    (tmp_path / "secret.txt").write_text("not for you")
    monkeypatch.setattr(browser, "BROWSER_ROOT", root)
    return root


def test_browser_opens_pointed_at_our_bolt_uri(settings: Settings, browser_files: Path) -> None:
    with TestClient(create_app(settings), client=LOOPBACK, follow_redirects=False) as client:
        opened = client.get("/browser")
        assert opened.status_code == 307
        scheme, _, address = settings.bolt_uri.partition("://")
        dbms = quote(f"{scheme}://{settings.neo4j_user}@{address}", safe="")
        assert opened.headers["location"] == f"/browser/?dbms={dbms}"
        assert "Neo4j Browser" in client.get("/browser/").text
        assert client.get("/browser/assets/app.js").text == "// app"


def test_browser_files_only_inside_its_folder(settings: Settings, browser_files: Path) -> None:
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        for path in ("/browser/../secret.txt", "/browser/%2e%2e/secret.txt", "/browser/nope.js"):
            assert client.get(path).status_code == 404, path


def test_browser_is_not_served_to_other_machines(settings: Settings, browser_files: Path) -> None:
    with TestClient(create_app(settings), client=ELSEWHERE, follow_redirects=False) as client:
        assert client.get("/browser").status_code == 404
        assert client.get("/browser/").status_code == 404


def test_browser_says_how_to_get_it_when_missing(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser, "BROWSER_ROOT", tmp_path / "absent")
    with TestClient(create_app(settings), client=LOOPBACK) as client:
        answer = client.get("/browser")
    assert answer.status_code == 404
    assert "make browser" in answer.json()["detail"]
