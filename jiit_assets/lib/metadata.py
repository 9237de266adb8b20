"""Markdown for run metadata: one escaping rule and one way to show a short list.

Metadata is what an operator reads in the UI, and much of it quotes outside text (portal titles,
mail subjects, error messages). ``md_inline`` makes such text one inert line, so a title holding
``|`` or ``**`` can neither break a table nor fake emphasis; ``md_bullets`` shows at most ``limit``
lines and says how many more there are, with ``EMPTY`` when there is nothing to show.
"""

from __future__ import annotations

from collections.abc import Sequence

EMPTY = "none"
_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>|#")


def md_inline(text: object, max_chars: int = 160) -> str:
    """Untrusted text as one line of Markdown with every special character escaped."""
    flat = " ".join(str(text).split())[:max_chars]
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in flat)


def md_bullets(lines: Sequence[str], limit: int = 20) -> str:
    """A bullet list of the first ``limit`` lines (already Markdown) and a count of the rest."""
    if not lines:
        return EMPTY
    shown = "\n".join(f"- {line}" for line in lines[:limit])
    more = len(lines) - limit
    return shown + (f"\n- … and {more} more" if more > 0 else "")
