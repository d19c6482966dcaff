"""Download the public datasets from their pinned upstream commits into a local cache.

The shared ``datasets`` folder is not available everywhere. Every file in it is a
byte-identical copy of a file at a pinned commit of a public GitHub repository, and
``upstream_manifest.json`` (shipped with the package) lists each one with its upstream
location and SHA-256. :func:`fetch` downloads those files so that any machine can
rebuild exactly the same folder.

Downloads are safe to interrupt: each file is written to a temporary file beside its
destination and only moved into place (``os.replace``) after its checksum has been
verified, so a crash or a bad download never leaves a corrupt file behind; files that
are already present with the right checksum are skipped, so a re-run resumes.
Only the standard library is used for HTTP, so no extra dependency is needed.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tqdm.auto import tqdm

from strife.errors import DataError

MANIFEST_NAME = "upstream_manifest.json"
RAW_URL = "https://raw.githubusercontent.com/{repo}/{commit}/{upstream_path}"
CHUNK_SIZE = 1 << 20
TIMEOUT_S = 60.0
USER_AGENT = "strife-data-fetch"


@dataclass(frozen=True)
class ManifestFile:
    """One dataset file: where it goes locally, where it lives upstream, its checksum."""

    path: str
    repo: str
    upstream_path: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """The pinned commit of every upstream repository and the files taken from them."""

    commits: dict[str, str]
    files: tuple[ManifestFile, ...]

    def url(self, entry: ManifestFile, base_url: str | None = None) -> str:
        """URL of ``entry``: the GitHub raw file at the pinned commit, or ``base_url/path``.

        A mirror keeps the local folder layout, so with ``base_url`` the local path is
        appended as is; this is also how the tests serve a local copy.
        """
        if base_url is not None:
            return f"{base_url.rstrip('/')}/{entry.path}"
        return RAW_URL.format(repo=entry.repo, commit=self.commits[entry.repo], upstream_path=entry.upstream_path)

    def dataset_folders(self) -> list[str]:
        """Every folder that holds manifest files: the valid values of ``only``."""
        folders: set[str] = set()
        for entry in self.files:
            parts = entry.path.split("/")[:-1]
            folders.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        return sorted(folders)

    def select(self, only: list[str] | None = None) -> list[ManifestFile]:
        """The files under any of the ``only`` prefixes (all files when ``only`` is empty).

        An unknown prefix is an error rather than an empty download, because a typo
        would otherwise look like success.
        """
        if not only:
            return list(self.files)
        selected: dict[str, ManifestFile] = {}
        for raw in only:
            prefix = _normalise_prefix(raw)
            hits = [e for e in self.files if prefix and (e.path == prefix or e.path.startswith(prefix + "/"))]
            if not hits:
                raise DataError(
                    f"unknown dataset {raw!r}: no file in the upstream manifest is under it; "
                    f"expected one of: {', '.join(self.dataset_folders())}"
                )
            for entry in hits:
                selected[entry.path] = entry
        return [e for e in self.files if e.path in selected]


def _normalise_prefix(prefix: str) -> str:
    prefix = prefix.strip().replace("\\", "/")
    while prefix.startswith("./"):
        prefix = prefix[2:]
    return prefix.strip("/")


def default_cache_dir() -> Path:
    """Where downloaded datasets go when no folder is given.

    ``$STRIFE_CACHE_DIR`` wins so that clusters can point at shared or scratch
    storage; otherwise the XDG cache (``$XDG_CACHE_HOME/strife/datasets``, or
    ``~/.cache/strife/datasets``), which users expect to be safe to delete.
    """
    explicit = os.environ.get("STRIFE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says a relative value must be ignored.
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "strife" / "datasets"
    return Path.home() / ".cache" / "strife" / "datasets"


def load_manifest() -> Manifest:
    """Read the manifest shipped inside the package (works from a wheel or a checkout)."""
    text = resources.files("strife.training").joinpath(MANIFEST_NAME).read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
        commits = {str(repo): str(commit) for repo, commit in raw["commits"].items()}
        files = tuple(
            ManifestFile(
                path=str(item["path"]),
                repo=str(item["repo"]),
                upstream_path=str(item["upstream_path"]),
                sha256=str(item["sha256"]).lower(),
            )
            for item in raw["files"]
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"{MANIFEST_NAME}: malformed manifest ({exc!r}); reinstall strife") from exc
    missing = sorted({f.repo for f in files} - commits.keys())
    if missing:
        raise DataError(f"{MANIFEST_NAME}: no pinned commit for {', '.join(missing)}; reinstall strife")
    return Manifest(commits=commits, files=files)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so large files do not fill memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _network_error(url: str, exc: BaseException) -> DataError:
    reason = getattr(exc, "reason", None) or exc
    return DataError(
        f"could not download {url}: {reason}. Check the network connection, or pass --base-url "
        f"to download from a mirror that has the same folder layout, or copy the datasets folder "
        f"from a machine that has it and set STRIFE_DATA_DIR to that copy"
    )


def _download(url: str, target: Path, entry: ManifestFile) -> None:
    """Stream ``url`` into a temporary file beside ``target``; move it into place only if verified."""
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        raise _network_error(url, exc) from exc
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Same folder as the target, so that os.replace is an atomic rename.
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except BaseException:
        response.close()
        raise
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with response, os.fdopen(fd, "wb") as out:
            while True:
                try:
                    chunk = response.read(CHUNK_SIZE)
                except (OSError, http.client.HTTPException) as exc:
                    raise _network_error(url, exc) from exc
                if not chunk:
                    break
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        received = digest.hexdigest()
        if received != entry.sha256:
            raise DataError(
                f"{entry.path}: checksum mismatch for {url}: expected sha256 {entry.sha256}, "
                f"received {received}; the file was not saved. The source no longer matches the "
                f"pinned snapshot: use another mirror (--base-url) or copy the datasets folder and "
                f"set STRIFE_DATA_DIR"
            )
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; public data may be shared
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fetch(
    dest: Path,
    *,
    only: list[str] | None = None,
    base_url: str | None = None,
    progress: bool = True,
) -> list[Path]:
    """Download the manifest files (or those under the ``only`` prefixes) to ``dest/<path>``.

    ``only`` takes local folder prefixes such as ``conflibert/cameo_ner``; ``base_url``
    replaces the GitHub raw URLs with ``{base_url}/{path}`` (a mirror, or a local copy
    in tests). Files already present with the right checksum are skipped, so a re-run
    resumes an interrupted download. Returns the paths downloaded by this call (empty
    when everything was already in place). Raises :class:`DataError` for an unknown
    prefix, a network failure or a checksum mismatch.
    """
    manifest = load_manifest()
    entries = manifest.select(only)
    dest = Path(dest)
    downloaded: list[Path] = []
    bar = tqdm(entries, desc="datasets", unit="file", disable=not progress)
    try:
        for entry in bar:
            bar.set_postfix_str(entry.path, refresh=False)
            target = dest / entry.path
            if target.is_file() and sha256_of(target) == entry.sha256:
                continue
            _download(manifest.url(entry, base_url), target, entry)
            downloaded.append(target)
    finally:
        bar.close()
    return downloaded
