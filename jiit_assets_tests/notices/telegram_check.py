"""A strict checker of Telegram HTML, written independently of the renderer.

It rejects what Telegram's HTML parse mode rejects (unknown tags, unbalanced or crossed tags, a raw
``<``, ``>`` or ``&``, unsupported named entities, attributes other than ``href`` on ``<a>``) and
returns the text as Telegram measures it.
"""

from __future__ import annotations

import re

ALLOWED = {"b", "i", "u", "s", "a", "code", "pre", "blockquote"}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG = re.compile(r'<(/?)([a-z]+)((?:\s+[a-z]+="[^"<>]*")*)\s*>')
_ATTRIBUTE = re.compile(r'\s+([a-z]+)="([^"<>]*)"')
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([a-z]+));")


class TelegramHtmlError(AssertionError):
    pass


def _decode_entities(text: str, where: int) -> str:
    out: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char in "<>":
            raise TelegramHtmlError(f"raw {char!r} at {where + position}")
        if char != "&":
            out.append(char)
            position += 1
            continue
        match = _ENTITY.match(text, position)
        if not match:
            raise TelegramHtmlError(f"bare '&' at {where + position}: {text[position : position + 12]!r}")
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name not in _NAMED:
                raise TelegramHtmlError(f"unsupported entity &{name};")
            out.append(_NAMED[name])
        else:
            out.append(chr(int(decimal) if decimal else int(hexadecimal, 16)))
        position = match.end()
    return "".join(out)


def check(markup: str) -> str:
    """The text Telegram would show for ``markup``; raises TelegramHtmlError when it would refuse it."""
    stack: list[str] = []
    text: list[str] = []
    position = 0
    while position < len(markup):
        start = markup.find("<", position)
        if start == -1:
            text.append(_decode_entities(markup[position:], position))
            break
        text.append(_decode_entities(markup[position:start], position))
        match = _TAG.match(markup, start)
        if not match:
            raise TelegramHtmlError(f"malformed tag at {start}: {markup[start : start + 20]!r}")
        closing, name, attributes = match.groups()
        if name not in ALLOWED:
            raise TelegramHtmlError(f"tag <{name}> is not allowed")
        if closing:
            if attributes:
                raise TelegramHtmlError(f"closing tag </{name}> with attributes")
            if not stack or stack[-1] != name:
                raise TelegramHtmlError(f"</{name}> does not close {stack[-1:] or 'anything'}")
            stack.pop()
        else:
            found = dict(_ATTRIBUTE.findall(attributes))
            if name == "a":
                if set(found) != {"href"} or not re.match(
                    r"^https?://", _decode_entities(found["href"], start)
                ):
                    raise TelegramHtmlError(f"<a> needs exactly one http(s) href, got {found}")
            elif found:
                raise TelegramHtmlError(f"<{name}> must not carry attributes {found}")
            if name in stack:
                raise TelegramHtmlError(f"<{name}> nested inside itself")
            stack.append(name)
        position = match.end()
    if stack:
        raise TelegramHtmlError(f"unclosed tags {stack}")
    return "".join(text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_message(markup: str, limit: int = 4096) -> str:
    """check() plus Telegram's length rule and its refusal of empty messages."""
    text = check(markup)
    if not text.strip():
        raise TelegramHtmlError("empty message")
    if utf16_length(text) > limit:
        raise TelegramHtmlError(f"{utf16_length(text)} UTF-16 units > {limit}")
    return text
