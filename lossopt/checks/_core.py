"""The machinery behind every exercise check.

A check calls the learner's function on many inputs (random and edge cases),
compares every returned value with the reference answer from ``lossopt``, and
either prints one success line or raises :class:`CheckFailed` with a short
message: which input, what was expected, what came back, and a hint. When the
wrong answer matches a known classic mistake, the hint names that mistake.

Writing a check for a new exercise::

    def check_mse(answer):
        ex = Exercise("mse", answer)
        for desc, (p, t) in cases:
            got = ex.call(desc, p, t)
            ex.compare(desc, got, losses.mse(p, t),
                       mistakes={"forgot to divide by the number of elements": np.sum((p - t) ** 2)})
        ex.passed()
"""
from __future__ import annotations

import copy
import numpy as np

__all__ = ["CheckFailed", "Exercise", "fmt", "install_short_tracebacks"]

NOT_IMPLEMENTED = ("not implemented yet: replace `raise NotImplementedError()` with your code, "
                   "run that cell, then run this check again.")


class CheckFailed(AssertionError):
    """An exercise answer is not right yet. The message says why, in a few lines."""


def fmt(x, precision: int = 6) -> str:
    """A short, readable rendering of a value for a message."""
    if isinstance(x, np.ndarray):
        if x.size > 12:
            return f"array of shape {x.shape}, first values {np.array2string(x.ravel()[:4], precision=precision)}..."
        return np.array2string(x, precision=precision, separator=", ", suppress_small=False).replace("\n", "")
    if isinstance(x, float):
        return f"{x:.{precision}g}"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k!r}: {fmt(v, precision)}" for k, v in x.items()) + "}"
    if isinstance(x, (tuple, list)) and len(x) <= 6:
        inner = ", ".join(fmt(v, precision) for v in x)
        return f"({inner})" if isinstance(x, tuple) else f"[{inner}]"
    r = repr(x)
    return r if len(r) <= 120 else r[:117] + "..."


class Exercise:
    """One run of a check: calls the answer, compares results, counts cases."""

    def __init__(self, name: str, answer, *, rtol: float = 1e-6, atol: float = 1e-9):
        self.name = name
        self.rtol = rtol
        self.atol = atol
        self.cases = 0
        if answer is None or not callable(answer):
            got = "None" if answer is None else type(answer).__name__
            self.fail(f"expected your function itself (check_{name}({name})), got {got}.",
                      hint=f"pass the function, not the result of calling it: check_{name}({name})")
        self.answer = answer

    # -- failing -------------------------------------------------------------------------------
    def fail(self, problem: str, *, case: str | None = None, expected=None, got=None,
             hint: str | None = None, show_values: bool = False):
        lines = [f"{self.name}: {problem}"]
        if case:
            lines.append(f"  input:    {case}")
        if show_values:
            lines.append(f"  expected: {fmt(expected)}")
            lines.append(f"  got:      {fmt(got)}")
        if hint:
            lines.append(f"  hint:     {hint}")
        raise CheckFailed("\n".join(lines))

    # -- calling -------------------------------------------------------------------------------
    def call(self, case: str, *args, **kwargs):
        """Call the answer on copies of the inputs; fail cleanly if it crashes or mutates them."""
        before = copy.deepcopy((args, kwargs))
        try:
            result = self.answer(*args, **kwargs)
        except NotImplementedError:
            raise CheckFailed(f"{self.name}: {NOT_IMPLEMENTED}") from None
        except Exception as exc:  # the learner's code crashed: say where, briefly
            self.fail(f"your function raised {type(exc).__name__}: {exc}", case=case,
                      hint=_crash_hint(exc))
        if not _same(before, (args, kwargs)):
            self.fail("your function changed one of its inputs in place.", case=case,
                      hint="work on a copy (x = x.copy()) or build new arrays; the caller's data must not change")
        return result

    def unpack(self, result, names, case: str):
        """``result`` as a tuple of ``len(names)`` values, or a clean failure naming them."""
        shape = "(" + ", ".join(names) + ")"
        if result is None:
            self.fail("your function returned None.", case=case,
                      hint=f"return a tuple {shape}; did you forget the `return` statement?")
        if isinstance(result, (str, bytes, dict)) or not isinstance(result, (tuple, list)):
            self.fail(f"expected a tuple {shape}, got {fmt(result)}.", case=case, hint=f"return {', '.join(names)}")
        if len(result) != len(names):
            self.fail(f"expected a tuple of {len(names)} values {shape}, got {len(result)} values.", case=case,
                      hint=f"return {', '.join(names)}")
        return tuple(result)

    # -- comparing -----------------------------------------------------------------------------
    def compare(self, case: str, got, expected, *, what: str = "the result", mistakes: dict | None = None,
                hint: str | None = None, rtol: float | None = None, atol: float | None = None):
        """Fail unless ``got`` equals ``expected`` (a number or array) to tolerance.

        ``mistakes`` maps a description of a classic mistake to the value that mistake
        produces; when ``got`` matches one, the hint names it.
        """
        rtol = self.rtol if rtol is None else rtol
        atol = self.atol if atol is None else atol
        expected_arr = np.asarray(expected, dtype=float)
        got_arr = self._as_numbers(case, got, what, expected_arr)
        if got_arr.shape != expected_arr.shape:
            hint_shape = hint
            if got_arr.size == expected_arr.size:
                hint_shape = "same values, wrong shape: (N, 1) and (N,) are different shapes; check your reshapes"
            elif expected_arr.ndim == 0:
                hint_shape = "the loss is one number: take the mean (or sum) over all elements"
            self.fail(f"{what} has shape {got_arr.shape}, expected shape {expected_arr.shape}.", case=case,
                      hint=hint_shape)
        if np.isnan(got_arr).any() and not np.isnan(expected_arr).any():
            self.fail(f"{what} contains NaN.", case=case, expected=expected, got=got, show_values=True,
                      hint=hint or "NaN usually comes from log(0), 0/0 or inf - inf: look for an unstable step")
        if np.isinf(got_arr).any() and not np.isinf(expected_arr).any():
            self.fail(f"{what} contains inf.", case=case, expected=expected, got=got, show_values=True,
                      hint=hint or "inf usually comes from exp of a large number or log(0): use a stable formula")
        if not np.allclose(got_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True):
            matched = self._diagnose(got_arr, mistakes or {}, rtol, atol)
            where = ""
            if got_arr.ndim > 0:
                bad = ~np.isclose(got_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True)
                idx = tuple(int(i) for i in np.argwhere(bad)[0])
                where = f" (first difference at index {idx[0] if len(idx) == 1 else idx}: "
                where += f"expected {fmt(float(expected_arr[idx]))}, got {fmt(float(got_arr[idx]))})"
            self.fail(f"{what} is wrong{where}.", case=case, expected=expected, got=got, show_values=True,
                      hint=matched or hint)
        self.cases += 1

    def require(self, condition: bool, problem: str, *, case: str | None = None, hint: str | None = None):
        """Fail with ``problem`` unless ``condition`` holds (for properties that are not one value)."""
        if not condition:
            self.fail(problem, case=case, hint=hint)
        self.cases += 1

    def passed(self, extra: str = "") -> None:
        print(f"✔ {self.name}: correct on all {self.cases} checks{extra}. Well done!")

    # -- helpers -------------------------------------------------------------------------------
    def _as_numbers(self, case, got, what, expected_arr):
        if got is None:
            self.fail(f"{what} is None.", case=case, hint="did you forget the `return` statement?")
        if isinstance(got, (str, bytes)):
            self.fail(f"{what} is a string ({fmt(got)}), expected a number or an array.", case=case)
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            self.fail(f"{what} is a {type(got).__name__}, expected "
                      f"{'a number' if expected_arr.ndim == 0 else 'an array of shape ' + str(expected_arr.shape)}.",
                      case=case)
        return arr

    @staticmethod
    def _diagnose(got_arr, mistakes, rtol, atol):
        for description, value in mistakes.items():
            try:
                wrong = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                continue
            if wrong.shape == got_arr.shape and np.allclose(got_arr, wrong, rtol=max(rtol, 1e-6), atol=atol,
                                                            equal_nan=True):
                return f"this looks like a classic mistake: {description}"
        return None


def _same(a, b) -> bool:
    """Deep equality that understands numpy arrays (NaN equals NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if callable(a) and callable(b):
        return True   # functions passed in (e.g. a bound method f.grad) are not data
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:
        return False


def _crash_hint(exc: Exception) -> str:
    if isinstance(exc, NameError):
        return "a name is not defined: did you run the cells above, and spell every variable as in the exercise?"
    if isinstance(exc, (ValueError, IndexError)) and "shape" in str(exc):
        return "check the shapes of your intermediate arrays (print x.shape)"
    return "run your function by hand on the input above to see where it fails"


# -- short messages in Jupyter ------------------------------------------------------------------

def _short_traceback(shell, etype, value, tb, tb_offset=None):
    """Show a failed check (or an unimplemented stub) as its message, not a traceback."""
    if issubclass(etype, NotImplementedError):
        text = f"NotImplementedError: {NOT_IMPLEMENTED}"
    else:
        text = f"{etype.__name__}: {value}"
    shell._showtraceback(etype, value, [text])
    return [text]


def install_short_tracebacks() -> None:
    """In IPython/Jupyter, show CheckFailed and NotImplementedError as a short message.

    The cell still ends in an error (nbval, nbgrader and JupyterLab see it; in an exercise
    notebook the build tags such cells ``raises-exception``, so Run All goes on past them);
    only the display is shortened. Does nothing outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there with Jupyter
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.set_custom_exc((CheckFailed, NotImplementedError), _short_traceback)
