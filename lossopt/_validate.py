"""Input checks shared by the losses and the optimizers.

Every public function in lossopt validates what it is given and raises a
``ValueError`` that says what was wrong and what is allowed. Nothing here ever
modifies its argument.
"""
from __future__ import annotations

import numbers

import numpy as np


def as_float_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a floating-point array (float64 unless already floating)."""
    try:
        a = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} could not be turned into an array: {exc}") from None
    if a.dtype.kind == "f":
        return a
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    raise ValueError(f"{name} must hold real numbers (a float, integer or bool array), got an array of dtype {a.dtype}")


def require_nonempty(a: np.ndarray, name: str) -> None:
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape}): a mean over zero elements is undefined")


def require_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Refuse to broadcast: (N, 1) against (N,) is the classic silent bug."""
    if a.shape != b.shape:
        hint = ""
        if a.size == b.size:
            hint = f"; they hold the same number of values, so reshape one: {name_b}.reshape({a.shape})"
        raise ValueError(
            f"{name_a} has shape {a.shape} but {name_b} has shape {b.shape}: "
            f"shapes must be equal, lossopt never broadcasts{hint}"
        )


def first_index(mask: np.ndarray):
    """Index (a tuple for n-d arrays, an int for 1-d) of the first True in ``mask``."""
    flat = int(np.flatnonzero(mask)[0])
    idx = np.unravel_index(flat, mask.shape)
    return int(idx[0]) if len(idx) == 1 else tuple(int(i) for i in idx)


def require_in_range(a: np.ndarray, lo: float, hi: float, name: str, what: str, hint: str = "") -> None:
    """Every value of ``a`` must lie in [lo, hi]; NaN is refused too."""
    bad = ~((a >= lo) & (a <= hi))
    if bad.any():
        i = first_index(bad)
        value = a[i].item()
        raise ValueError(f"{name} contains {value!r} at index {i}: {what} must lie in [{lo:g}, {hi:g}]{hint}")


def require_number(value, name: str, *, low: float | None = None, high: float | None = None,
                   low_open: bool = False, high_open: bool = False) -> float:
    """A scalar hyperparameter within bounds; returns it as a float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {value!r}")
    lo_ok = low is None or (v > low if low_open else v >= low)
    hi_ok = high is None or (v < high if high_open else v <= high)
    if not (lo_ok and hi_ok):
        left = "-inf" if low is None else f"{low:g}"
        right = "inf" if high is None else f"{high:g}"
        interval = ("(" if low_open or low is None else "[") + f"{left}, {right}" + (")" if high_open or high is None else "]")
        raise ValueError(f"{name} must lie in {interval}, got {value!r}")
    return v
