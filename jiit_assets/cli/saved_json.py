"""Reading a saved portal payload for the ``inspect`` commands: bounded, with one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAX_FILE_BYTES = 20_000_000


def read_saved_json(path: Path, what: str) -> Any:
    """The JSON in ``path`` (``what`` names it in messages), or a ``ValueError`` saying what is wrong.

    A UTF-8 byte-order mark is accepted: Windows editors write one when saving a response.
    """
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ValueError(f"{path}: larger than {MAX_FILE_BYTES} bytes; not a portal payload")
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise ValueError(f"{path}: cannot read ({error.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path}: {what} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise ValueError(f"{path}: {what} is nested too deeply to be a portal payload") from None
