"""Tests of the pinned-upstream dataset download, against a local HTTP mirror.

No network is used besides 127.0.0.1: a ``ThreadingHTTPServer`` serves the shared
datasets folder (or a doctored copy of part of it) and ``fetch`` is pointed at it with
``base_url``. Only small files are fetched so the module stays fast.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from strife.errors import DataError
from strife.training.fetch import default_cache_dir, fetch, load_manifest

SMALL = ["conflibert/cameo_class", "conflibert/re3d"]

# Files in SHA256SUMS that are deliberately not in the manifest: repository licence
# files copied in by hand whose upstream location and bytes could not be verified.
NOT_UPSTREAM = {"conflibert/LICENSE", "gvdb/LICENSE", "wikievents/LICENSE.gen-arg"}


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """The shared datasets folder; tests that need it are skipped where it is absent."""
    env = os.environ.get("STRIFE_DATA_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "datasets")
    for path in candidates:
        if (path / "SHA256SUMS").is_file():
            return path
    pytest.skip("shared datasets folder not found (set STRIFE_DATA_DIR)")


Serve = Callable[[Path], tuple[str, list[str]]]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start a quiet HTTP server on 127.0.0.1 for a folder; return its URL and request log."""
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(directory: Path) -> tuple[str, list[str]]:
        requests: list[str] = []

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                requests.append(self.path)
                super().do_GET()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/", requests

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _expected_files(prefixes: list[str]) -> list[str]:
    return [f.path for f in load_manifest().files if any(f.path.startswith(p + "/") for p in prefixes)]


def test_fetch_is_byte_identical_and_resumes(tmp_path: Path, shared_datasets: Path, serve: Serve) -> None:
    url, requests = serve(shared_datasets)
    dest = tmp_path / "cache"

    got = fetch(dest, only=SMALL, base_url=url, progress=False)

    expected = _expected_files(SMALL)
    assert len(expected) == 7
    assert sorted(p.relative_to(dest).as_posix() for p in got) == sorted(expected)
    for rel in expected:
        assert (dest / rel).read_bytes() == (shared_datasets / rel).read_bytes(), rel
    assert len(requests) == len(expected)
    assert not list(dest.rglob("*.part"))

    # (b) a second run finds everything in place and downloads nothing
    requests.clear()
    assert fetch(dest, only=SMALL, base_url=url, progress=False) == []
    assert requests == []


def test_fetch_replaces_a_corrupt_local_file(tmp_path: Path, shared_datasets: Path, serve: Serve) -> None:
    url, requests = serve(shared_datasets)
    target = tmp_path / "conflibert/re3d/labels.json"
    fetch(tmp_path, only=["conflibert/re3d/labels.json"], base_url=url, progress=False)
    target.write_text("truncated")
    requests.clear()

    got = fetch(tmp_path, only=["conflibert/re3d/labels.json"], base_url=url, progress=False)

    assert got == [target]
    assert len(requests) == 1
    assert target.read_bytes() == (shared_datasets / "conflibert/re3d/labels.json").read_bytes()


def test_checksum_mismatch_leaves_no_file(tmp_path: Path, shared_datasets: Path, serve: Serve) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "conflibert/re3d").mkdir(parents=True)
    for source in (shared_datasets / "conflibert/re3d").iterdir():
        shutil.copyfile(source, mirror / "conflibert/re3d" / source.name)  # contents only, writable
    bad = mirror / "conflibert/re3d/labels.json"
    bad.write_bytes(bad.read_bytes() + b"\n")
    url, _ = serve(mirror)
    dest = tmp_path / "cache"

    with pytest.raises(DataError) as info:
        fetch(dest, only=["conflibert/re3d"], base_url=url, progress=False)

    message = str(info.value)
    expected_sha = next(f.sha256 for f in load_manifest().files if f.path == "conflibert/re3d/labels.json")
    assert "conflibert/re3d/labels.json" in message
    assert expected_sha in message
    assert re.search(r"received [0-9a-f]{64}", message)
    assert not (dest / "conflibert/re3d/labels.json").exists()
    assert not list(dest.rglob("*.part"))


def test_network_error_names_url_and_remedies(tmp_path: Path, serve: Serve) -> None:
    (tmp_path / "empty").mkdir()
    url, _ = serve(tmp_path / "empty")  # every request is a 404

    with pytest.raises(DataError) as info:
        fetch(tmp_path / "cache", only=["conflibert/re3d/readme.md"], base_url=url, progress=False)

    message = str(info.value)
    assert f"{url}conflibert/re3d/readme.md" in message
    assert "--base-url" in message and "STRIFE_DATA_DIR" in message
    assert not (tmp_path / "cache/conflibert/re3d/readme.md").exists()


def test_unknown_prefix_lists_valid_folders(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        fetch(tmp_path, only=["conflibert/cameo_ner", "conflibert/no_such_set"], progress=False)

    message = str(info.value)
    assert "conflibert/no_such_set" in message
    assert "conflibert/cameo_ner" in message and "wikievents" in message
    assert not any(tmp_path.iterdir())


def test_manifest_covers_sha256sums(shared_datasets: Path) -> None:
    manifest = load_manifest()
    sums: dict[str, str] = {}
    for line in (shared_datasets / "SHA256SUMS").read_text().splitlines():
        if line.strip():
            sha, path = line.split(None, 1)
            sums[path.strip().removeprefix("./")] = sha

    listed = {f.path: f.sha256 for f in manifest.files}
    assert len(listed) == len(manifest.files), "duplicate paths in the manifest"
    assert NOT_UPSTREAM <= sums.keys()
    assert listed == {path: sha for path, sha in sums.items() if path not in NOT_UPSTREAM}
    for entry in manifest.files:
        assert re.fullmatch(r"[0-9a-f]{40}", manifest.commits[entry.repo]), entry.repo
        assert entry.upstream_path and not entry.upstream_path.startswith("/")
    cameo = next(f for f in manifest.files if f.path == "conflibert/cameo_ner/train.txt")
    assert manifest.url(cameo) == (
        "https://raw.githubusercontent.com/eventdata/ConfliBERT/"
        "0b630014885b9597622082034cc5ab5471b57e5b/data/cameo_ner/train.txt"
    )


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STRIFE_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("STRIFE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "strife" / "datasets"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "strife" / "datasets"
