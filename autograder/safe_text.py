"""Text from a student's process, made safe to show: once, where the grader decodes it.

Whatever a worker sends may hold lone surrogates (which no UTF-8 writer can encode),
ANSI escape sequences and other control characters (which redraw a terminal or break
XML), line breaks that start a console line of the student's choosing (a fake points
table, or a GitHub workflow command such as `::notice`), and far too many characters.
`line` and `block` return text that has none of these:

- every control character (C0, DEL, C1), line or paragraph separator, bidirectional
  override, lone surrogate and XML-forbidden noncharacter is shown escaped, as the
  visible characters `\\x1b`, `\\r` or `\\ud800`, as Python's repr shows them; `block`
  keeps the newline, `line` shows it as `\\n`;
- a line that would start a GitHub workflow command (`::`, after any spaces) or hold a
  legacy one (`##[`) gets one of those characters escaped (`\\x3a:`, `\\x23#[`);
- the result has at most `limit` characters, ending in "..." when it was cut.

Both are idempotent: safe text comes back unchanged, so a writer may apply them again
as a second defence. `spreadsheet_cell` neutralises a CSV text cell a spreadsheet would
run as a formula.
"""

from __future__ import annotations

import re

TEXT_LIMIT = 10_000  # characters; the wire refuses longer strings anyway
ELLIPSIS = "..."

_CONTROL = "\x00-\x09\x0b-\x1f\x7f-\x9f"  # C0 but the newline, DEL, C1 (tab included)
_INVISIBLE = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff"
_SURROGATE = "\ud800-\udfff"
_IN_BLOCK = re.compile(f"[{_CONTROL}{_INVISIBLE}{_SURROGATE}]")
_IN_LINE = re.compile(f"[\n{_CONTROL}{_INVISIBLE}{_SURROGATE}]")
_COMMAND = re.compile(r"^([^\S\n]*):(?=:)", re.MULTILINE)  # GitHub trims, then reads "::"
_LEGACY_COMMAND = re.compile(r"#(?=#\[)")  # "##[command]" anywhere in a line
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# what a spreadsheet may take for the start of a formula (OWASP), full-width forms too
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _safe(text: str, limit: int, unsafe: re.Pattern[str]) -> str:
    if len(text) <= limit and text.isprintable() and "::" not in text and "##[" not in text:
        return text  # the common case: nothing to escape (every unsafe character is unprintable)
    shown = unsafe.sub(_escape, text[: limit + 1])  # escaping never shortens the text
    shown = _LEGACY_COMMAND.sub(r"\\x23", _COMMAND.sub(r"\1\\x3a", shown))
    if len(shown) <= limit:
        return shown
    return shown[: max(limit - len(ELLIPSIS), 0)] + ELLIPSIS[:limit]


def line(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` as one safe line of at most `limit` characters (newlines shown as `\\n`)."""
    return _safe(text, limit, _IN_LINE)


def block(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` as safe lines (a traceback, a returned string) of at most `limit` characters
    in all: newlines are kept, and no line can start a workflow command."""
    return _safe(text, limit, _IN_BLOCK)


def spreadsheet_cell(text: str) -> str:
    """A CSV text cell that a spreadsheet shows as text: a leading `'` where the cell would
    start a formula (OWASP's advice). Only for text cells: a number is written as it is."""
    starts_formula = text.startswith(FORMULA_START) or text.lstrip().startswith(FORMULA_START)
    return "'" + text if starts_formula else text
