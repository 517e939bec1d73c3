"""Checks for lesson 05, choosing a loss.

Exercises: ``margin_losses(m)`` (the 0-1, logistic and hinge losses of each
margin, elementwise) and ``best_constant(y, loss, delta=1.0)`` (the constant
that minimises the mean MSE, MAE or Huber loss).

Every expected value comes from :mod:`lossopt.losses`: the logistic loss is
``losses.softplus(-m)``, the hinge loss of one margin is ``losses.hinge`` on
that one example, and the best constant is located with the lossopt gradients.
The ``mistakes`` tables hold what each classic mistake would return, so the
hint can name it.
"""
from __future__ import annotations

import numpy as np

from .. import losses
from ._core import Exercise, fmt

__all__ = ["check_margin_losses", "check_best_constant"]


# -- exercise 1: margin losses --------------------------------------------------------------------

MARGIN_KEYS = ("zero_one", "logistic", "hinge")


def zero_one_loss(m):
    """The 0-1 loss of each margin, with the course's convention: m <= 0 is an error (a tie counts as wrong)."""
    return (np.asarray(m, dtype=float) <= 0).astype(float)


def reference_margin_losses(m):
    """The expected answer, from lossopt: per-margin 0-1, logistic (softplus(-m)) and hinge losses."""
    m = np.asarray(m, dtype=float)
    flat = m.ravel()
    one = np.ones(1)
    hinge = np.array([losses.hinge(flat[i:i + 1], one) for i in range(flat.size)]).reshape(m.shape)
    return {"zero_one": zero_one_loss(m), "logistic": losses.softplus(-m), "hinge": hinge}


def _margin_cases():
    rng = np.random.default_rng(505)
    cases = []

    def add(label, m):
        m = np.asarray(m, dtype=float)
        desc = f"m = {fmt(m)}" if m.size <= 8 else f"m of shape {m.shape}, {label}"
        cases.append((desc, m))

    add("", [-2.0, -0.5, 0.0, 0.5, 1.0, 2.0])
    add("", [0.0])
    add("", [1.0, 1.0, 0.0])
    add("", [-1000.0, -800.0, -50.0, 50.0, 800.0, 1000.0])
    add("", [-1e5, 1e5])
    add("", [[-3.0], [0.0], [1.0], [4.0]])
    add("random margins", rng.normal(scale=3.0, size=60))
    add("random margins", rng.normal(scale=2.0, size=(5, 7)))
    add("random margins with ties at 0 and 1", np.concatenate([rng.normal(size=20), np.zeros(3), np.ones(3)]))
    add("random margins, some very negative", rng.normal(scale=400.0, size=(3, 4, 2)))
    add("tiny margins around 0 and 1", np.array([-1e-12, 0.0, 1e-12, 1.0 - 1e-12, 1.0 + 1e-12]))
    return cases


def _margin_mistakes(m):
    ln2 = np.log(2.0)
    with np.errstate(over="ignore"):
        return {
            "zero_one": {
                "a tie m = 0 counted as right (m < 0): this exercise counts m <= 0 as an error":
                    (m < 0).astype(float),
                "1 for a right answer: that is the accuracy, the 0-1 loss is 1 for an error":
                    (m > 0).astype(float),
                "1 for m < 1: that is where the hinge is positive; the 0-1 loss is 1 only for m <= 0":
                    (m < 1).astype(float),
            },
            "logistic": {
                "the sign of m is flipped: the logistic loss is log(1 + exp(-m))": losses.softplus(m),
                "log base 2: use the natural log (np.log)": losses.softplus(-m) / ln2,
                "sigmoid(-m) is the (minus) derivative, not the loss: take log(1 + exp(-m))":
                    losses.sigmoid(-m),
            },
            "hinge": {
                "1 - m without the max(0, ·): the hinge is 0, not negative, once m > 1": 1.0 - m,
                "max(0, -m) is the perceptron loss: the hinge has a margin, max(0, 1 - m)": np.maximum(0.0, -m),
                "the squared hinge: do not square max(0, 1 - m)": np.maximum(0.0, 1.0 - m) ** 2,
                "the sign of m is flipped: the hinge is max(0, 1 - m)": np.maximum(0.0, 1.0 + m),
            },
        }


_MARGIN_HINTS = {
    "zero_one": "zero_one = 1 where m <= 0 and 0 where m > 0, as floats",
    "logistic": ("log(1 + exp(-m)) computed as written overflows for m below about -710: "
                 "use max(-m, 0) + log1p(exp(-|m|)) (or np.logaddexp(0, -m))"),
    "hinge": "hinge = max(0, 1 - m) elementwise (np.maximum, not max)",
}


def check_margin_losses(margin_losses):
    """Check ``margin_losses(m) -> {"zero_one": ..., "logistic": ..., "hinge": ...}`` elementwise."""
    ex = Exercise("margin_losses", margin_losses)
    for desc, m in _margin_cases():
        got = ex.call(desc, m.copy())
        if not isinstance(got, dict):
            ex.fail(f"expected a dict with keys {list(MARGIN_KEYS)}, got {fmt(got)}.", case=desc,
                    hint='return {"zero_one": ..., "logistic": ..., "hinge": ...}')
        missing = [k for k in MARGIN_KEYS if k not in got]
        if missing:
            ex.fail(f"the dict has no key {', '.join(repr(k) for k in missing)} "
                    f"(it has {', '.join(repr(k) for k in got) or 'no keys'}).", case=desc,
                    hint=f"use exactly these keys: {', '.join(repr(k) for k in MARGIN_KEYS)}")
        expected = reference_margin_losses(m)
        mistakes = _margin_mistakes(m)
        for key in MARGIN_KEYS:
            value = got[key]
            shape = np.shape(value) if not isinstance(value, (str, bytes)) else None
            if value is not None and shape is not None and shape != m.shape:
                ex.fail(f"{key!r} has shape {shape}, expected the shape of m, {m.shape}.", case=desc,
                        hint="one loss per margin, elementwise: no mean, no sum, no reshape")
            ex.compare(desc, value, expected[key], what=f"{key!r}", mistakes=mistakes[key],
                       hint=_MARGIN_HINTS[key])
    ex.passed()


# -- exercise 2: the best constant ----------------------------------------------------------------

def _slope(c, y, loss_grad, **kwargs):
    """dL/dc for the constant prediction c (the sum over examples of lossopt's gradient), and
    the size of its rounding error: a slope smaller than that is 0 (a flat stretch of the loss)."""
    g = loss_grad(np.full(y.shape, c), y, **kwargs)
    return float(np.sum(g)), 1e-12 * float(np.sum(np.abs(g))) + 1e-300


def minimiser_interval(y, loss: str, delta: float = 1.0):
    """``(c_lo, c_hi)``: every c in [c_lo, c_hi] minimises the mean loss of c against y.

    The mean loss is convex in c, so its slope (from lossopt's gradient) never decreases:
    c_lo is where it stops being negative, c_hi where it starts being positive. Both are
    found by bisection between min(y) and max(y). For MSE the interval is one point (the
    mean); for MAE with an even number of values it is the gap between the two middle
    values; for Huber it can be a flat stretch when no value lies within delta of it.
    """
    y = np.asarray(y, dtype=float)
    grad, kwargs = {"mse": (losses.mse_grad, {}), "mae": (losses.mae_grad, {}),
                    "huber": (losses.huber_grad, {"delta": delta})}[loss]

    def first_where(test):
        """The smallest c in [min(y), max(y)] whose slope passes ``test`` (False below it, True above)."""
        lo, hi = float(y.min()), float(y.max())
        if test(_slope(lo, y, grad, **kwargs)):
            return lo
        if not test(_slope(hi, y, grad, **kwargs)):
            return hi
        for _ in range(200):            # until lo and hi are neighbouring floats
            mid = 0.5 * (lo + hi)
            if mid in (lo, hi):
                break
            if test(_slope(mid, y, grad, **kwargs)):
                hi = mid
            else:
                lo = mid
        return hi

    c_lo = first_where(lambda s: s[0] >= -s[1])     # the slope is no longer negative
    c_hi = first_where(lambda s: s[0] > s[1])       # the slope is positive
    return c_lo, max(c_lo, c_hi)


def reference_best_constant(y, loss: str, delta: float = 1.0) -> float:
    """One minimiser (the middle of the interval of minimisers); the mean for MSE."""
    c_lo, c_hi = minimiser_interval(y, loss, delta)
    return 0.5 * (c_lo + c_hi)


def _tolerance(y) -> float:
    y = np.asarray(y, dtype=float)
    return 1e-6 * max(1.0, float(np.ptp(y)))


def _best_constant_cases():
    rng = np.random.default_rng(5050)
    cases = []

    def add(label, y, loss, delta=None):
        y = np.asarray(y, dtype=float)
        kwargs = {} if delta is None else {"delta": delta}
        call = f'loss="{loss}"' + (f", delta={delta:g}" if delta is not None else "")
        desc = f"y = {fmt(y)}, {call}" if y.size <= 8 else f"y: {y.size} values, {label}; {call}"
        cases.append((desc, y, loss, kwargs))

    def skewed(n, outliers=0):
        y = rng.lognormal(mean=0.0, sigma=1.0, size=n)
        if outliers:
            y[rng.choice(n, size=outliers, replace=False)] += rng.uniform(20.0, 60.0, size=outliers)
        return y

    # hand-made
    add("", [1.0, 2.0, 3.0, 4.0, 100.0], "mse")
    add("", [1.0, 2.0, 3.0, 4.0, 100.0], "mae")
    add("", [1.0, 2.0, 3.0, 4.0, 100.0], "huber", 1.0)
    add("", [3.0, 1.0, 2.0], "mae")
    add("", [5.0, -1.0, 2.0, 40.0, 0.5, 3.0, 2.5], "huber", 2.0)
    add("", [4.0, 2.0], "mae")
    add("", [0.0, 10.0], "huber", 1.0)
    add("", [7.5], "mse")
    add("", [7.5], "mae")
    add("", [7.5], "huber", 0.5)
    add("", [2.0, 2.0, 2.0, 2.0], "huber", 1.0)
    add("", [1.0, 2.0, 2.0, 2.0, 9.0, 9.0], "mae")
    # many skewed data sets with outliers, odd and even sizes
    for n, outliers in [(51, 0), (200, 5), (101, 10), (1000, 50)]:
        y = skewed(n, outliers)
        add("lognormal with outliers" if outliers else "lognormal", y, "mse")
        add("lognormal with outliers" if outliers else "lognormal", y, "mae")
        for delta in (0.05, 0.5, 1.0, 3.0):
            add("lognormal with outliers" if outliers else "lognormal", y, "huber", delta)
    y = -skewed(75, 6) + 10.0
    for loss, delta in [("mse", None), ("mae", None), ("huber", 1.5)]:
        add("skewed to the left, negative values", y, loss, delta)
    y = rng.exponential(scale=3.0, size=40) + 1e6
    for loss, delta in [("mse", None), ("mae", None), ("huber", 2.0)]:
        add("exponential around 1e6", y, loss, delta)
    y = skewed(30, 3)
    add("lognormal with outliers, delta larger than every residual (Huber = MSE)", y, "huber", 1e3)
    return cases


def _huber_one_newton_step(y, delta, c):
    r = c - y
    inside = np.abs(r) < delta
    if not inside.any():
        return c
    return c - np.sum(np.clip(r, -delta, delta)) / np.sum(inside)


def _best_constant_mistakes(y, loss, delta):
    mean, median = float(np.mean(y)), float(np.median(y))
    n = y.size
    if loss == "mse":
        return {"the median: that minimises the MAE; the MSE is minimised by the mean": median,
                "the midpoint of min(y) and max(y): the MSE is minimised by the mean":
                    0.5 * (float(y.min()) + float(y.max()))}
    if loss == "mae":
        return {"the mean: the MAE is minimised by the median": mean,
                "the middle element without sorting y first": float(y[n // 2])}
    found = {"the mean (an IRLS loop whose weights are all 1 also gives the mean): Huber gives residuals "
             "beyond delta the weight delta / |r|": mean,
             "the median: Huber's constant is the median only in the limit delta -> 0": median,
             "stopped after one Newton step (from the mean): repeat the update until c stops changing":
                 float(_huber_one_newton_step(y, delta, mean)),
             "stopped after one Newton step (from the median): repeat the update until c stops changing":
                 float(_huber_one_newton_step(y, delta, median))}
    if delta != 1.0:
        found["ignored delta (used delta = 1): pass delta on to the Huber loss"] = \
            reference_best_constant(y, "huber", 1.0)
    return found


def _as_number(ex, got, case):
    if got is None:
        ex.fail("your function returned None.", case=case, hint="did you forget the `return` statement?")
    if isinstance(got, (str, bytes)):
        ex.fail(f"your function returned a string ({fmt(got)}), expected one number.", case=case)
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        ex.fail(f"your function returned a {type(got).__name__}, expected one number.", case=case)
    if arr.size != 1:
        ex.fail(f"your function returned an array of shape {arr.shape}, expected one number.", case=case,
                hint="the best constant is a single number c (the same prediction for every example)")
    value = float(arr.ravel()[0])
    if not np.isfinite(value):
        ex.fail(f"your function returned {value}.", case=case,
                hint="a NaN or inf usually comes from dividing by a zero weight or residual: guard the division")
    return value


class _Text(str):
    """A string shown without quotes in a check message."""

    def __repr__(self):
        return str(self)


def check_best_constant(best_constant):
    """Check ``best_constant(y, loss, delta=1.0)`` on many skewed data sets with outliers.

    Any minimiser is accepted when there are several (MAE with an even number of
    values, a flat stretch of the Huber loss), to within 1e-6 of the spread of y.
    """
    ex = Exercise("best_constant", best_constant)
    for desc, y, loss, kwargs in _best_constant_cases():
        got = _as_number(ex, ex.call(desc, y.copy(), loss, **kwargs), desc)
        delta = kwargs.get("delta", 1.0)
        c_lo, c_hi = minimiser_interval(y, loss, delta)
        tol = _tolerance(y)
        if c_lo - tol <= got <= c_hi + tol:
            ex.cases += 1
            continue
        mistakes = _best_constant_mistakes(y, loss, delta)
        hint = next((f"this looks like a classic mistake: {what}" for what, value in mistakes.items()
                     if abs(got - value) <= tol), None)
        if hint is None:
            hint = {"mse": "the MSE is minimised by the mean of y",
                    "mae": "the MAE is minimised by the median of y",
                    "huber": ("no closed form: iterate c <- sum(w y) / sum(w) with w = min(1, delta / |y - c|), "
                              "or Newton steps, until c stops changing (to 1e-10)")}[loss]
        if c_hi - c_lo <= tol:
            expected = _Text(fmt(0.5 * (c_lo + c_hi), 12))
        else:
            expected = _Text(f"any value in [{fmt(c_lo, 12)}, {fmt(c_hi, 12)}] (all of them minimise the loss)")
        ex.fail("the constant is wrong.", case=desc, expected=expected, got=_Text(fmt(got, 12)),
                show_values=True, hint=hint)
    ex.passed(" (any minimiser accepted where there are several)")
