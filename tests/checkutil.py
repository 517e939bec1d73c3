"""Helpers shared by the exercise-check tests (tests/test_checks_*.py).

Not a test module: pytest puts tests/ on sys.path (rootdir-based import mode, no
tests/__init__.py), so a test file imports them with ``from checkutil import fails``.
"""
from __future__ import annotations

import numpy as np
import pytest

from lossopt.checks import CheckFailed


def fails(check, answer, *keywords, max_lines: int = 6) -> str:
    """Run ``check(answer)``, which must raise CheckFailed with a short message; return the message.

    Every keyword must appear in the message (case-insensitive).
    """
    with pytest.raises(CheckFailed) as info:
        check(answer)
    message = str(info.value)
    for word in keywords:
        assert word.lower() in message.lower(), f"{word!r} not in:\n{message}"
    assert len(message.splitlines()) <= max_lines, message   # short messages
    return message


def fails_quietly(check, answer, *keywords, max_lines: int = 6) -> str:
    """:func:`fails` with numpy's floating-point warnings off, for wrong answers that diverge."""
    with np.errstate(all="ignore"):
        return fails(check, answer, *keywords, max_lines=max_lines)


def passes(check, answer, capsys) -> str:
    """Run ``check(answer)``: it must print one line, ``✔ <exercise>: correct on all ...``; return it."""
    check(answer)
    out = capsys.readouterr().out.strip().splitlines()
    exercise = check.__name__.removeprefix("check_")
    assert len(out) == 1 and out[0].startswith(f"✔ {exercise}: correct on all"), out
    return out[0]


def zeroing_first_input(answer):
    """``answer``, changed to also overwrite its first argument (an array) with zeros in place."""
    def changes_its_input(*args, **kwargs):
        result = answer(*args, **kwargs)
        args[0][...] = 0.0
        return result
    return changes_its_input
