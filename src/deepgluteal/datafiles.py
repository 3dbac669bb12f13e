"""Where the project's parameter tables live, and how they are read."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """Folder holding the parameter tables (``data/`` of the repository).

    An editable install reads the repository's ``data/``; a wheel carries a copy inside the
    package (see ``pyproject.toml``).
    """
    packaged = _PACKAGE_DIR / "data"
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent.parent / "data"


@cache
def read_json(name: str) -> dict:
    """Parsed JSON table ``data/<name>`` (cached; treat as read-only)."""
    with open(data_dir() / name, encoding="utf-8") as handle:
        return json.load(handle)


@cache
def read_csv_columns(name: str) -> dict[str, tuple[str, ...]]:
    """Columns of the CSV table ``data/<name>``, skipping ``#`` comment lines (cached)."""
    with open(data_dir() / name, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(line for line in handle if not line.startswith("#")))
    header, body = rows[0], rows[1:]
    return {key: tuple(row[i] for row in body) for i, key in enumerate(header)}
