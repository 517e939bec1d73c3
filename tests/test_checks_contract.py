"""The contract every exercise check keeps, tested once for all of them.

Every public ``check_*`` of :mod:`lossopt.checks` (found through ``lossopt.checks.__all__``,
so a new lesson's checks are covered without editing this file) must fail with a short
:class:`CheckFailed` (an ``AssertionError``) that names the exercise when it is given
an unimplemented stub, ``None`` instead of a function, an answer that crashes, or an
answer that returns ``None`` or a string.

What needs a lesson's reference answer or its inputs - the right answer passing with
one ✔ line, NaN, wrong shapes, changing an input in place, and every classic mistake -
is tested in that lesson's own file, ``tests/test_checks_<module>.py``; the last tests
here make sure every lesson module and every check has one.
"""
from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import lossopt.checks
from lossopt.checks import CheckFailed

TESTS = Path(__file__).resolve().parent

CHECK_NAMES = [name for name in lossopt.checks.__all__ if name.startswith("check_")]
LESSON_MODULES = sorted(info.name for info in pkgutil.iter_modules(lossopt.checks.__path__)
                        if not info.name.startswith("_"))


def stub(*args, **kwargs):
    raise NotImplementedError()


def crash(*args, **kwargs):
    return 1 / 0


def returns(value):
    return lambda *args, **kwargs: value


def fails(name: str, answer) -> str:
    """Run the check ``name`` on ``answer``: a short CheckFailed naming the exercise; return its message."""
    check = getattr(lossopt.checks, name)
    with pytest.raises(AssertionError) as info:
        check(answer)
    assert info.type is CheckFailed, f"{name} raised {info.type.__name__}, not CheckFailed: {info.value}"
    message = str(info.value)
    exercise = name.removeprefix("check_")
    assert message.startswith(f"{exercise}: "), f"the message does not start with {exercise!r}:\n{message}"
    assert len(message.splitlines()) <= 6, f"message too long (more than 6 lines):\n{message}"
    assert "Traceback" not in message, message
    return message


# -- the generic contract, for every check -------------------------------------------------------------

def test_every_lesson_has_checks():
    assert LESSON_MODULES, "no lesson modules found in lossopt/checks"
    assert CHECK_NAMES, "lossopt.checks.__all__ lists no check_* function"
    for module in LESSON_MODULES:
        mod = importlib.import_module(f"lossopt.checks.{module}")
        own = [n for n in getattr(mod, "__all__", []) if n.startswith("check_")]
        assert own, f"lossopt/checks/{module}.py defines no check_* in __all__"
        assert set(own) <= set(CHECK_NAMES), f"{module}: not importable from lossopt.checks: {set(own) - set(CHECK_NAMES)}"


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_stub_says_not_implemented(name):
    assert "not implemented yet" in fails(name, stub)


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_passing_none_instead_of_a_function(name):
    message = fails(name, None)
    assert "expected your function itself" in message
    exercise = name.removeprefix("check_")
    assert f"{name}({exercise})" in message            # shows the right call


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_crash_is_reported_briefly(name):
    message = fails(name, crash)
    assert "raised ZeroDivisionError" in message and "input:" in message


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_returning_none(name):
    message = fails(name, returns(None))
    assert "None" in message and "return" in message and "input:" in message


@pytest.mark.parametrize("text", ["0.5", "theta"])      # a string that looks like a number, and one that does not
@pytest.mark.parametrize("name", CHECK_NAMES)
def test_returning_a_string(name, text):
    message = fails(name, returns(text))
    assert repr(text) in message or re.search(r"\bstr\b|string", message), message
    assert "input:" in message


# -- every lesson module and every check has its own test file --------------------------------------------

def _test_file(module: str) -> Path:
    return TESTS / f"test_checks_{module}.py"


@pytest.mark.parametrize("module", LESSON_MODULES)
def test_every_lesson_module_has_a_test_file(module):
    assert _test_file(module).is_file(), (
        f"lossopt/checks/{module}.py has no tests/test_checks_{module}.py: test its right answers, "
        "NaN, shapes, in-place changes and classic mistakes there")


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_every_check_is_used_by_its_lesson_test_file(name):
    module = getattr(lossopt.checks, name).__module__.rsplit(".", 1)[-1]
    path = _test_file(module)
    assert path.is_file(), f"{name} is defined in lossopt/checks/{module}.py, which has no {path.name}"
    used = {node.id for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Name)}
    assert name in used, f"{path.name} never uses {name}: test its right answer and classic mistakes there"
