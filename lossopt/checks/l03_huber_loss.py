"""Checks for lesson 03, Huber loss.

Exercises: ``huber(prediction, target, delta)``, ``huber_grad(prediction, target, delta)``,
``fit_huber(x, y, delta, lr, steps)`` and ``choose_delta(residuals, k)``.
Every expected value comes from :mod:`lossopt.losses` (and :class:`lossopt.optim.SGD`
for the gradient-descent fit); the ``mistakes`` tables hold what each classic
mistake would return, so the hint can name it.
"""
from __future__ import annotations

import numpy as np

from .. import data, losses, optim
from ._core import Exercise, fmt

__all__ = ["check_huber", "check_huber_grad", "check_fit_huber", "check_choose_delta"]

#: Φ⁻¹(0.75): the MAD of a standard normal variable. σ̂ = MAD / 0.6745 (= 1.4826 · MAD).
GAUSS_MAD = 0.6744897501960817


# -- inputs ---------------------------------------------------------------------------------------

def _loss_cases():
    """(description, prediction, target, delta or None for the default): many shapes, deltas, ties."""
    rng = np.random.default_rng(303)
    cases = []

    def add(p, t, delta, label=""):
        p, t = np.asarray(p), np.asarray(t)
        if p.size <= 6:
            desc = f"prediction = {fmt(p)}, target = {fmt(t)}"
        else:
            desc = f"prediction and target of shape {p.shape}, {label}"
        desc += ", delta left at its default 1.0" if delta is None else f", delta = {delta:g}"
        cases.append((desc, p, t, delta))

    # first case: both branches, both signs, delta != 1, so most mistakes show up at once
    add([0.5, -2.0, 3.0, 0.1, -0.8], [0.0, 0.0, 1.0, 0.3, 0.4], 1.5)
    add([1.0, -1.0, 0.5, 3.0], [0.0, 0.0, 0.0, 0.0], 1.0)                    # exact ties |e| = delta
    add([2.0, -2.0, 0.0, 5.0, -0.5], [0.0, 0.0, 0.0, 0.0, 0.0], 2.0)         # ties at delta = 2
    add([[0.5, -0.5, 0.1], [1.0, 0.25, -2.0]], np.zeros((2, 3)), 0.5)        # ties, 2-D
    add([0, 1, 2, 3, -3], [0, 0, 0, 0, 0], 2.0)                              # integers, ties
    add([0.3, -4.0, 1.5], [0.0, 0.0, 0.0], None)                             # the default delta
    add([5.0], [1.0], 1.5)                                                   # one element, linear branch
    add([[0.2]], [[0.0]], 1.0)                                               # one element, quadratic
    add([0.5, -0.25, 2.0], [0.5, -0.25, 2.0], 1.0)                           # perfect prediction
    add(rng.normal(size=20) * 0.1, rng.normal(size=20) * 0.1, 1.0, "all residuals inside ±delta")
    add(rng.normal(size=20) * 10, rng.normal(size=20), 0.5, "almost all residuals beyond ±delta")
    for n, delta in [(7, 0.3), (50, 1.0), (1000, 2.5)]:
        add(rng.normal(size=n) * 2, rng.normal(size=n), delta, "random values")
    for shape, delta in [((4, 1), 0.7), ((3, 4), 1.2), ((30, 1), 0.25), ((2, 3, 5), 3.0)]:
        add(rng.normal(size=shape) * 3, rng.normal(size=shape), delta, "random values")
    add(rng.normal(size=15) * 3, rng.normal(size=15), 100.0, "huge delta (pure quadratic)")
    add(rng.normal(size=15) * 3, rng.normal(size=15), 1e-3, "tiny delta (almost pure linear)")
    return cases


def _huber_mistakes(p, t, delta):
    """What the classic mistakes of huber and huber_grad return on (p, t, delta)."""
    e = np.asarray(p, dtype=float) - np.asarray(t, dtype=float)
    d = 1.0 if delta is None else float(delta)
    a = np.abs(e)
    n, rows = e.size, len(e)
    quad, lin = a < d, a >= d
    value = {
        "missing the ½ in the quadratic branch: it is ½e² (so both pieces give ½δ² at |e| = δ)":
            np.mean(np.where(quad, e ** 2, d * (a - 0.5 * d))),
        "the linear branch is δ(|e| - ½δ), not δ|e|: without the -½δ² the two pieces do not meet at |e| = δ":
            np.mean(np.where(quad, 0.5 * e ** 2, d * a)),
        "missing the 1/n: take the mean over all elements, not the sum": np.sum(np.where(quad, 0.5 * e ** 2,
                                                                                        d * (a - 0.5 * d))),
        "δ in the quadratic branch: it is ½e², δ appears only in the linear branch":
            np.mean(np.where(quad, 0.5 * d * e ** 2, d * (a - 0.5 * d))),
        "this is PyTorch's smooth_l1_loss (Huber divided by δ); huber_loss is not divided by δ":
            np.mean(np.where(quad, 0.5 * e ** 2, d * (a - 0.5 * d))) / d,
        "missing the absolute value in the linear branch: it is δ(|e| - ½δ), for negative e too":
            np.mean(np.where(quad, 0.5 * e ** 2, d * (e - 0.5 * d))),
        "compared e, not |e|, with δ: large negative residuals must use the linear branch too":
            np.mean(np.where(e < d, 0.5 * e ** 2, d * (a - 0.5 * d))),
        "the branches are swapped: ½e² is for |e| < δ, the linear piece for |e| ≥ δ":
            np.mean(np.where(quad, d * (a - 0.5 * d), 0.5 * e ** 2)),
        "½e² everywhere: you forgot the linear branch for |e| ≥ δ": np.mean(0.5 * e ** 2),
        "this is the MSE: Huber is ½e² inside ±δ and linear outside": np.mean(e ** 2),
    }
    if rows != n:
        value["divided by the number of rows, len(e), instead of the number of elements, e.size"] = (
            np.sum(np.where(quad, 0.5 * e ** 2, d * (a - 0.5 * d))) / rows)
    clip = np.clip(e, -d, d)
    grad = {
        "missing the 1/n: the gradient of the mean is clip(e, -δ, δ) / n": clip,
        "the gradient is not clipped: e / n is the gradient of ½e² everywhere; beyond δ it is ±δ / n": e / n,
        "δ·sign(e) everywhere: inside |e| < δ the gradient is e / n, only beyond δ is it ±δ / n":
            d * np.sign(e) / n,
        "sign(e) in the tails: the linear branch δ(|e| - ½δ) has slope ±δ, not ±1": np.where(quad, e, np.sign(e)) / n,
        "this is the gradient of PyTorch's smooth_l1_loss (Huber divided by δ): clip(e, -δ, δ) / (δ n)":
            clip / (d * n),
        "2e in the quadratic branch: the derivative of ½e² is e (2e is the MSE's)":
            np.where(quad, 2 * e, d * np.sign(e)) / n,
        "δ·e in the quadratic branch: the derivative of ½e² is e": np.where(quad, d * e, d * np.sign(e)) / n,
        "wrong sign: this is the gradient with respect to the target; with respect to the prediction it is "
        "+clip(prediction - target, -δ, δ) / n": -clip / n,
        "missing the sign in the linear branch: it is +δ for e ≥ δ and -δ for e ≤ -δ": np.where(quad, e, d) / n,
        "compared e, not |e|, with δ: for e ≤ -δ the gradient is -δ / n": np.where(e < d, e, d) / n,
    }
    if rows != n:
        grad["divided by the number of rows, len(e), instead of the number of elements, e.size"] = clip / rows
    return value, grad


def _call_loss(ex, desc, p, t, delta):
    args = (p.copy(), t.copy()) if delta is None else (p.copy(), t.copy(), delta)
    return ex.call(desc, *args)


# -- exercise 1: the loss and its gradient ----------------------------------------------------------

def check_huber(huber):
    """Check ``huber(prediction, target, delta=1.0)`` against ``lossopt.losses.huber`` on many inputs."""
    ex = Exercise("huber", huber)
    for desc, p, t, delta in _loss_cases():
        got = _call_loss(ex, desc, p, t, delta)
        expected = losses.huber(p, t) if delta is None else losses.huber(p, t, delta=delta)
        mistakes, _ = _huber_mistakes(p, t, delta)
        ex.compare(desc, got, expected, what="the loss", mistakes=mistakes,
                   hint="L = mean over all elements of ½e² where |e| < δ and δ(|e| - ½δ) elsewhere, "
                        "e = prediction - target")
    ex.passed()


def check_huber_grad(huber_grad):
    """Check ``huber_grad(prediction, target, delta=1.0)`` against ``lossopt.losses.huber_grad``."""
    ex = Exercise("huber_grad", huber_grad)
    for desc, p, t, delta in _loss_cases():
        got = _call_loss(ex, desc, p, t, delta)
        expected = losses.huber_grad(p, t) if delta is None else losses.huber_grad(p, t, delta=delta)
        _, mistakes = _huber_mistakes(p, t, delta)
        ex.compare(desc, got, expected, what="the gradient", mistakes=mistakes,
                   hint="dL/dprediction = clip(prediction - target, -δ, δ) / n, an array with the shape "
                        "of prediction (n = prediction.size)")
    ex.passed()


# -- exercise 2: a robust line by gradient descent --------------------------------------------------

def _reference_fit_huber(x, y, delta, lr, steps):
    """The expected answer, from lossopt: losses.huber / huber_grad and optim.SGD."""
    opt = optim.SGD(lr=lr)
    params = {"slope": np.array(0.0), "intercept": np.array(0.0)}
    history = []
    for _ in range(steps):
        prediction = params["slope"] * x + params["intercept"]
        history.append(losses.huber(prediction, y, delta=delta))
        g = losses.huber_grad(prediction, y, delta=delta)       # dL/dprediction
        params = opt.step(params, {"slope": np.sum(g * x), "intercept": np.sum(g)})
    return float(params["slope"]), float(params["intercept"]), np.array(history)


def _wrong_fit_huber(x, y, delta, lr, steps, *, grad="huber", grad_delta=None, loss="huber", loss_delta=None,
                     sequential=False, after=False, slope_times_x=True, intercept_times_x=False, scale=1.0):
    """The trajectories of classic mistakes (plain numpy, deliberately wrong)."""
    n = x.size
    gd = delta if grad_delta is None else grad_delta
    ld = delta if loss_delta is None else loss_delta

    def per_point(e):
        if grad == "huber":
            return np.clip(e, -gd, gd)
        if grad == "mse":
            return 2.0 * e
        if grad == "unclipped":
            return e
        raise ValueError(grad)  # pragma: no cover

    def loss_of(e):
        if loss == "mse":
            return np.mean(e ** 2)
        a = np.abs(e)
        return np.mean(np.where(a < ld, 0.5 * e ** 2, ld * (a - 0.5 * ld)))

    w = b = 0.0
    history = []
    for _ in range(steps):
        e = w * x + b - y
        if not after:
            history.append(loss_of(e))
        g = scale * per_point(e) / n
        dw = np.sum(g * x) if slope_times_x else np.sum(g)
        w = w - lr * dw
        if sequential:
            g = scale * per_point(w * x + b - y) / n
        db = np.sum(g * x) if intercept_times_x else np.sum(g)
        b = b - lr * db
        if after:
            history.append(loss_of(w * x + b - y))
    return w, b, np.array(history)


_FIT_MISTAKES = {
    "simultaneous-update bug: the intercept gradient was computed with the already-updated slope; "
    "compute both gradients from the old parameters, then update both": dict(sequential=True),
    "loss recorded after the update instead of before it: loss_history[0] must be the loss at "
    "slope = intercept = 0": dict(after=True),
    "missing the 1/n in the gradient (sum of clip(e)·x instead of its mean)": dict(scale=None),
    "used the MSE gradient 2e / n: the Huber gradient is clip(e, -δ, δ) / n": dict(grad="mse"),
    "the gradient is not clipped (e / n): beyond ±δ each point's gradient is ±δ / n": dict(grad="unclipped"),
    "delta was not passed on: the gradient used δ = 1 (the default) instead of the given delta":
        dict(grad_delta=1.0, loss_delta=1.0),
    "delta was not passed to the loss in the history: it used δ = 1 (the default)": dict(loss_delta=1.0),
    "loss_history holds the MSE; it must hold the Huber loss with the given delta": dict(loss="mse"),
    "the slope gradient is sum(g · x), with the x_i (you used sum(g), the intercept's)": dict(slope_times_x=False),
    "the intercept gradient is sum(g), without the x_i (that is the slope's)": dict(intercept_times_x=True),
    "wrong sign: subtract lr times the gradient (slope -= lr * dL/dslope), do not add it": dict(scale=-1.0),
}


def _fit_cases():
    cases = []
    x, y, _ = data.regression_with_outliers(n=50, outlier_fraction=0.2, seed=0)
    cases.append(("50 points on y = 2x + 1 with 20% outliers, delta=2, lr=0.1, steps=30", x, y, 2.0, 0.1, 30))
    x, y, _ = data.regression_with_outliers(n=5, slope=-1.5, intercept=3.0, seed=1)
    cases.append(("5 points on y = -1.5x + 3, delta=0.5, lr=0.05, steps=8", x, y, 0.5, 0.05, 8))
    cases.append(("the same 5 points, delta=0.5, lr=0.05, steps=1", x, y, 0.5, 0.05, 1))
    x, y, _ = data.regression_with_outliers(n=1, seed=2)
    cases.append(("a single point, delta=3, lr=0.1, steps=5", x, y, 3.0, 0.1, 5))
    x, y, _ = data.regression_with_outliers(n=200, slope=0.5, intercept=-2.0, outlier_fraction=0.1, seed=3)
    cases.append(("200 points with 10% outliers, delta=0.67, lr=0.3, steps=60", x, y, 0.67, 0.3, 60))
    x, y, _ = data.regression_with_outliers(n=12, slope=1.0, intercept=4.0, noise=0.0, seed=4)
    cases.append(("12 points exactly on y = x + 4 with x shifted to [2, 8], delta=0.1, lr=0.01, steps=25",
                  x + 5.0, y + 5.0, 0.1, 0.01, 25))
    x, y, _ = data.regression_with_outliers(n=30, outlier_fraction=0.1, seed=6)
    cases.append(("30 points with 10% outliers, delta=1 (the default), lr=0.2, steps=15", x, y, 1.0, 0.2, 15))
    x, y, _ = data.regression_with_outliers(n=3, seed=5)
    cases.append(("3 points, delta=1, lr=0.1, steps=0 (no step at all)", x, y, 1.0, 0.1, 0))
    return cases


def check_fit_huber(fit_huber):
    """Check ``fit_huber(x, y, delta, lr, steps) -> (slope, intercept, loss_history)``.

    Compares the final parameters and the whole loss history (one Huber loss per step,
    recorded before that step's update) with the reference built from lossopt.
    """
    ex = Exercise("fit_huber", fit_huber)
    for desc, x, y, delta, lr, steps in _fit_cases():
        result = ex.call(desc, x.copy(), y.copy(), delta, lr, steps)
        slope, intercept, history = ex.unpack(result, ("slope", "intercept", "loss_history"), desc)
        ref_slope, ref_intercept, ref_history = _reference_fit_huber(x, y, delta, lr, steps)
        with np.errstate(all="ignore"):
            wrong = {}
            for what, kw in _FIT_MISTAKES.items():
                kw = dict(kw)
                if kw.get("scale", 1.0) is None:
                    kw["scale"] = float(x.size)
                wrong[what] = _wrong_fit_huber(x, y, delta, lr, steps, **kw)
        if isinstance(history, (list, tuple, np.ndarray)) and len(history) == steps + 1 and steps > 0:
            ex.fail(f"loss_history has {steps + 1} losses for steps={steps}; expected {steps}.", case=desc,
                    hint="record one loss per step, before that step's update; the loss after the last "
                         "update is not part of the history")
        hint = ("start at slope = intercept = 0; each step: g = clip(prediction - y, -δ, δ) / n, "
                "slope -= lr · sum(g · x), intercept -= lr · sum(g)")
        ex.compare(desc, slope, ref_slope, what="the slope",
                   mistakes={k: v[0] for k, v in wrong.items()}, hint=hint)
        ex.compare(desc, intercept, ref_intercept, what="the intercept",
                   mistakes={k: v[1] for k, v in wrong.items()}, hint=hint)
        ex.compare(desc, history, ref_history, what="loss_history",
                   mistakes={k: v[2] for k, v in wrong.items()},
                   hint="loss_history[k] is huber(prediction, y, delta) with the parameters before update k+1")
    ex.passed(" (parameters and every loss of the history)")


# -- exercise 3: choosing delta from the data ------------------------------------------------------

def _reference_delta(r, k):
    """δ = k · σ̂ with σ̂ = median(|r - median(r)|) / Φ⁻¹(0.75)."""
    return k * float(np.median(np.abs(r - np.median(r)))) / GAUSS_MAD


def _delta_mistakes(r, k):
    r = np.asarray(r, dtype=float)
    mad = float(np.median(np.abs(r - np.median(r))))
    mistakes = {
        "forgot to divide the MAD by 0.6745 (σ̂ = MAD / 0.6745 = 1.4826 · MAD)": k * mad,
        "multiplied the MAD by 0.6745; divide by it (σ̂ = MAD / 0.6745 = 1.4826 · MAD)": k * mad * GAUSS_MAD,
        "used the standard deviation: outliers inflate it, that is why we use the MAD": k * float(np.std(r)),
        "forgot to subtract the median before taking |r|: MAD = median(|r - median(r)|)":
            k * float(np.median(np.abs(r))) / GAUSS_MAD,
        "used means instead of medians: MAD = median(|r - median(r)|), the mean is not robust":
            k * float(np.mean(np.abs(r - np.mean(r)))) / GAUSS_MAD,
        "used the mean of |r - median(r)|: the MAD is its median":
            k * float(np.mean(np.abs(r - np.median(r)))) / GAUSS_MAD,
        "forgot the factor k: δ = k · σ̂": mad / GAUSS_MAD,
    }
    if r.size > 1:
        mistakes["used the standard deviation (ddof=1): outliers inflate it, use the MAD"] = k * float(np.std(r, ddof=1))
    return mistakes


def _delta_cases():
    cases = []
    rng = np.random.default_rng(313)
    r = np.array([0.3, -0.1, 0.4, 12.0, 0.0, -0.6, 0.2])
    cases.append((f"residuals = {fmt(r)}, k = 1.345 (the default)", r, None))
    x, y, _ = data.regression_with_outliers(n=100, outlier_fraction=0.2, seed=0)
    r = y - (2.0 * x + 1.0)
    cases.append(("the 100 residuals of the true line on 20%-contaminated data, k = 1.345", r, 1.345))
    r = np.array([1.0, 2.0, 3.0, 100.0])
    cases.append((f"residuals = {fmt(r)} (even length, median between two values), k = 1.0", r, 1.0))
    r = 3.0 + 0.5 * rng.standard_normal(51)
    cases.append(("51 Gaussian residuals centred at 3 (median far from 0), k = 2.0", r, 2.0))
    r = np.concatenate([0.2 * rng.standard_normal(90), 20 + 10 * rng.random(10)])
    cases.append(("100 residuals, 10 of them outliers above 20, k = 1.345", r, 1.345))
    r = np.array([-5.0, 7.0])
    cases.append((f"residuals = {fmt(r)}, k = 0.5", r, 0.5))
    r = np.array([2.5])
    cases.append((f"residuals = {fmt(r)} (one value: MAD = 0), k = 1.345", r, 1.345))
    return cases


def check_choose_delta(choose_delta):
    """Check ``choose_delta(residuals, k=1.345)``: δ = k · MAD / 0.6745, MAD = median(|r - median(r)|)."""
    ex = Exercise("choose_delta", choose_delta, rtol=1e-4, atol=1e-9)
    for desc, r, k in _delta_cases():
        got = ex.call(desc, r.copy()) if k is None else ex.call(desc, r.copy(), k)
        kk = 1.345 if k is None else k
        ex.compare(desc, got, _reference_delta(r, kk), what="delta", mistakes=_delta_mistakes(r, kk),
                   hint="delta = k · median(|r - median(r)|) / 0.6745")
    ex.passed()
