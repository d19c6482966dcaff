"""Find the folder that holds the datasets.

Order: an explicit ``--data-dir``, then ``$STRIFE_DATA_DIR``, then a
``shared/datasets`` folder beside the checkout, then the download cache of
``strife data fetch``.
"""

from __future__ import annotations

import os
from pathlib import Path

from strife.errors import DataError

REPO_ROOT = Path(__file__).resolve().parent.parent


def _cache_dir() -> Path:
    from strife.training.fetch import default_cache_dir

    return default_cache_dir()


def candidate_roots() -> list[tuple[str, Path]]:
    """Every place looked at, in order, with the reason it is looked at."""
    found: list[tuple[str, Path]] = []
    if os.environ.get("STRIFE_DATA_DIR"):
        found.append(("$STRIFE_DATA_DIR", Path(os.environ["STRIFE_DATA_DIR"])))
    found.append(("../shared/datasets beside the working directory", Path.cwd().parent / "shared" / "datasets"))
    found.append(("../shared/datasets beside the checkout", REPO_ROOT.parent / "shared" / "datasets"))
    found.append(("the download cache", _cache_dir()))
    return found


def find_data_root(data_dir: str | Path | None = None) -> Path:
    """Return the first existing data root, or raise a :class:`DataError` saying how to get one."""
    if data_dir is not None:
        path = Path(data_dir)
        if not path.is_dir():
            raise DataError(f"--data-dir {path}: no such directory")
        return path
    for _, path in candidate_roots():
        if path.is_dir() and any(path.iterdir()):
            return path
    looked = "; ".join(f"{why}: {path}" for why, path in candidate_roots())
    raise DataError(
        f"no dataset folder found (looked at {looked}). Run `strife data fetch` to download the "
        f"public datasets into the cache, or pass --data-dir / set STRIFE_DATA_DIR"
    )
