"""Fast regex matching for the registry: several patterns searched as one, and the words a pattern needs.

Searching ~60 regexes in every repo name is what makes attribution slow, and most names match none. So the
registry finds once, per pattern, the words every match must contain (`required_words`), and searches a
name only with the families whose word occurs in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["LETTER_RUN", "AnyOf", "required_words"]

LETTER_RUN = re.compile(r"[a-z]+")

# A numbered or named back-reference would point at the wrong group once patterns are joined.
_BACKREF = re.compile(r"\\\d|\(\?P=")


def _join(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """One regex for a list (one search instead of several), or None when joining would change meaning."""
    if not patterns or any(_BACKREF.search(p) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error:  # e.g. a global inline flag such as (?i) in the middle of the joined text
        return None


class AnyOf:
    """Case-insensitive search for any of several regexes; reports where the earliest match starts."""

    __slots__ = ("_all", "_each", "_joined", "_patterns")

    def __init__(self, patterns: Sequence[str]) -> None:
        # Compiled (joined, or one by one when they cannot be) at the first search: only attribution (a poll,
        # an import) searches, and the monitor loads the registry before its first frame, where compiling
        # every family's regexes was a sixth of it.
        self._all = tuple(patterns)
        self._each: tuple[re.Pattern[str], ...] = ()
        self._patterns: tuple[str, ...] | None = self._all
        self._joined: re.Pattern[str] | None = None

    def __bool__(self) -> bool:
        return bool(self._all)

    def _one(self) -> re.Pattern[str] | None:
        if self._patterns is not None:
            joined = _join(self._patterns)
            if joined is None:
                self._each = tuple(re.compile(p, re.IGNORECASE) for p in self._all)
            # Cleared last: a poll's thread that finds `_patterns` gone finds the regexes made.
            self._joined, self._patterns = joined, None
        return self._joined

    def start(self, text: str) -> int | None:
        joined = self._one()
        if joined is not None:
            m = joined.search(text)
            return None if m is None else m.start()
        starts = [m.start() for p in self._each if (m := p.search(text)) is not None]
        return min(starts) if starts else None

    def search(self, text: str) -> bool:
        joined = self._one()
        if joined is not None:
            return joined.search(text) is not None
        return any(p.search(text) for p in self._each)


# ------------------------------------------------------------------------------------- required words

# Requirements of a piece of pattern: every tuple is required (a match holds at least one of its words).
_Options = list[tuple[str, ...]]


class _Unsupported(Exception):
    """A construct the reader does not know: the pattern gets no required word (always searched)."""


_ZERO_REQUIREMENT_ESCAPES = frozenset("dDwWsSbBAZnrtfv")
_QUANTIFIER = re.compile(r"\?|\*|\+|\{(\d*)(,\d*)?\}")


def _best(options: _Options) -> tuple[str, ...]:
    # the alternative set whose shortest word is longest filters best
    return max(options, key=lambda words: min(len(w) for w in words), default=())


class _Reader:
    """A reader of the usual regex subset (literals, classes, groups, alternation, quantifiers, lookarounds).

    Conservative by construction: letters count only when they are literal, adjacent and not optional;
    anything it does not know raises _Unsupported rather than guess.
    """

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def peek(self) -> str:
        return self.p[self.i] if self.i < len(self.p) else ""

    def branches(self) -> list[_Options]:
        found = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            found.append(self.sequence())
        return found

    def sequence(self) -> _Options:
        options: _Options = []
        run: list[str] = []
        while self.peek() not in ("", "|", ")"):
            letter, inner = self.atom()
            low = self.quantifier()
            if low is None and letter is not None:
                run.append(letter)
                continue
            if run:
                options.append(("".join(run),))
                run = []
            if low is None or low >= 1:
                options.extend([(letter,)] if letter is not None else inner)
        if run:
            options.append(("".join(run),))
        return options

    def quantifier(self) -> int | None:
        """The least repeat count of a quantifier here, or None when there is none."""
        m = _QUANTIFIER.match(self.p, self.i)
        if m is None:
            if self.peek() == "{":
                raise _Unsupported("a literal brace")
            return None
        self.i = m.end()
        if self.peek() in ("?", "+"):  # lazy or possessive
            self.i += 1
        token = m.group(0)
        if token in ("?", "*"):
            return 0
        if token == "+":
            return 1
        return int(m.group(1) or 0)

    def atom(self) -> tuple[str | None, _Options]:
        """(the lowercase letter this atom is, if a literal ASCII letter; else the requirements inside it)."""
        c = self.peek()
        self.i += 1
        if c == "\\":
            return None, self.escape()
        if c == "[":
            self.skip_class()
            return None, []
        if c == "(":
            return None, self.group()
        if c.isascii() and c.isalpha():
            return c.lower(), []
        return None, []  # ., ^, $, digits, punctuation, non-ASCII: no requirement

    def escape(self) -> _Options:
        c = self.peek()
        self.i += 1
        if (c.isalpha() and c not in _ZERO_REQUIREMENT_ESCAPES) or c.isdigit() or c == "":
            raise _Unsupported(f"escape \\{c}")  # \x41, \u..., back-references
        return []

    def skip_class(self) -> None:
        if self.peek() == "^":
            self.i += 1
        if self.peek() == "]":
            self.i += 1
        while self.peek() not in ("", "]"):
            self.i += 2 if self.peek() == "\\" else 1
        if self.peek() != "]":
            raise _Unsupported("an open class")
        self.i += 1

    def group(self) -> _Options:
        lookaround = False
        if self.peek() == "?":
            lookaround = self.group_kind()
        found = self.branches()
        if self.peek() != ")":
            raise _Unsupported("an open group")
        self.i += 1
        if lookaround:  # zero-width: it consumes nothing, so it requires nothing
            return []
        if len(found) == 1:
            return found[0]
        words: list[str] = []
        for options in found:
            best = _best(options)
            if not best:
                return []  # one alternative needs no word: the group needs none
            words.extend(best)
        return [tuple(dict.fromkeys(words))]

    def group_kind(self) -> bool:
        """Reads the `?...` after `(`; True for a lookaround."""
        for prefix, lookaround in ((":", False), ("=", True), ("!", True), ("<=", True), ("<!", True)):
            if self.p.startswith("?" + prefix, self.i):
                self.i += 1 + len(prefix)
                return lookaround
        if self.p.startswith("?P<", self.i):
            end = self.p.find(">", self.i)
            if end < 0:
                raise _Unsupported("a group name")
            self.i = end + 1
            return False
        raise _Unsupported("an inline flag or extension")


def required_words(pattern: str) -> tuple[str, ...]:
    """Lowercase letter runs one of which every match of `pattern` must contain; () when none is known.

    ``(^|[-_])kimi[-_]`` gives ("kimi",), ``^(ling|ring)-`` gives ("ling", "ring"). Anything the reader
    does not know yields () (search always): slower, never wrong.
    """
    reader = _Reader(pattern)
    try:
        found = reader.branches()
        if reader.i != len(pattern):
            return ()  # an unbalanced ")"
    except _Unsupported:
        return ()
    if len(found) == 1:
        return _best(found[0])
    words: list[str] = []
    for options in found:
        best = _best(options)
        if not best:
            return ()
        words.extend(best)
    return tuple(dict.fromkeys(words))
