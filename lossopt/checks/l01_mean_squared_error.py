"""Checks for lesson 01, mean squared error.

Exercises: ``mse(prediction, target)``, ``mse_grad(prediction, target)``,
``fit_line_gd(x, y, lr, steps)`` and ``fit_line_least_squares(x, y)``.
Every expected value comes from :mod:`lossopt.losses` (and :class:`lossopt.optim.SGD`
for the gradient-descent fit); the ``mistakes`` tables hold what each classic
mistake would return, so the hint can name it.
"""
from __future__ import annotations

import numpy as np

from .. import data, losses, optim
from ._core import Exercise, fmt

__all__ = ["check_mse", "check_mse_grad", "check_fit_line_gd", "check_fit_line_least_squares"]


# -- inputs ---------------------------------------------------------------------------------------

def _pairs():
    """(description, prediction, target): many shapes, sizes, edge cases."""
    rng = np.random.default_rng(101)
    cases = []

    def add(label, p, t):
        p, t = np.asarray(p), np.asarray(t)
        if p.size <= 6:
            desc = f"prediction = {fmt(p)}, target = {fmt(t)}"
        else:
            desc = f"prediction and target of shape {p.shape}, {label}"
        cases.append((desc, p, t))

    add("hand-made", np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 5.0]))
    add("single element", np.array([3.0]), np.array([1.0]))
    add("single element, 2-D", np.array([[-2.0]]), np.array([[0.5]]))
    add("negative residuals", np.array([0.0, -1.0, 4.0, 2.0]), np.array([1.0, 1.0, 1.0, 1.0]))
    add("perfect prediction", np.array([0.5, -0.25, 2.0]), np.array([0.5, -0.25, 2.0]))
    add("integers", np.array([1, 2, 3, 4, 5]), np.array([2, 2, 2, 2, 2]))
    for n in (7, 50, 1000):
        add("random values", rng.normal(size=n), rng.normal(size=n))
    for shape in [(4, 1), (3, 4), (30, 1), (2, 3, 5)]:
        add("random values", rng.normal(size=shape) * 3, rng.normal(size=shape))
    add("large values", rng.normal(size=20) * 1e3, rng.normal(size=20) * 1e3)
    add("tiny residuals", np.linspace(0, 1, 9) + 1e-7, np.linspace(0, 1, 9))
    return cases


def _residual_mistakes(p, t):
    """What the classic mistakes of mse and mse_grad return on (p, t)."""
    e = np.asarray(p, dtype=float) - np.asarray(t, dtype=float)
    n, rows = e.size, len(e)
    value = {
        "the sum of squared errors (missing the 1/n): take the mean, not the sum": np.sum(e ** 2),
        "the ½ convention (optax's l2_loss): PyTorch's and lossopt's MSE have no ½": 0.5 * np.mean(e ** 2),
        "the root mean squared error: do not take the square root": np.sqrt(np.mean(e ** 2)),
        "the mean absolute error: square the residuals instead of taking |e|": np.mean(np.abs(e)),
        "divided by the number of rows, len(e), instead of the number of elements, e.size":
            np.sum(e ** 2) / rows,
        "squared the mean residual instead of averaging the squared residuals": np.mean(e) ** 2,
    }
    if n > 1:
        value["divided by n - 1 instead of n"] = np.sum(e ** 2) / (n - 1)
    grad = {
        "missing the 1/n: the gradient of the mean is 2 e / n, not 2 e": 2.0 * e,
        "missing the factor 2 (the ½ convention of optax's l2_loss): d(e²)/de = 2e": e / n,
        "wrong sign: this is the gradient with respect to the target (or of e = target - prediction); "
        "the gradient with respect to the prediction is +2 (prediction - target) / n": -2.0 * e / n,
        "divided by the number of rows, len(e), instead of the number of elements, e.size": 2.0 * e / rows,
        "the gradient of the mean absolute error, sign(e) / n: the MSE gradient grows with e": np.sign(e) / n,
        "missing both the 2 and the 1/n": e,
        "wrong sign and missing the 1/n": -2.0 * e,
    }
    return value, grad


# -- exercise 1: the loss and its gradient ----------------------------------------------------------

def check_mse(mse):
    """Check ``mse(prediction, target)`` against ``lossopt.losses.mse`` on many inputs."""
    ex = Exercise("mse", mse)
    for desc, p, t in _pairs():
        got = ex.call(desc, p.copy(), t.copy())
        mistakes, _ = _residual_mistakes(p, t)
        ex.compare(desc, got, losses.mse(p, t), what="the loss", mistakes=mistakes,
                   hint="L = (1/n) · sum of (prediction - target)², n = prediction.size")
    ex.passed()


def check_mse_grad(mse_grad):
    """Check ``mse_grad(prediction, target)`` against ``lossopt.losses.mse_grad`` on many inputs."""
    ex = Exercise("mse_grad", mse_grad)
    for desc, p, t in _pairs():
        got = ex.call(desc, p.copy(), t.copy())
        _, mistakes = _residual_mistakes(p, t)
        ex.compare(desc, got, losses.mse_grad(p, t), what="the gradient", mistakes=mistakes,
                   hint="dL/dprediction = 2 (prediction - target) / n, an array with the shape of prediction")
    ex.passed()


# -- exercise 2: gradient descent on a line ---------------------------------------------------------

def _reference_fit_line_gd(x, y, lr, steps):
    """The expected answer, from lossopt: losses.mse / mse_grad and optim.SGD."""
    opt = optim.SGD(lr=lr)
    params = {"slope": np.array(0.0), "intercept": np.array(0.0)}
    history = []
    for _ in range(steps):
        prediction = params["slope"] * x + params["intercept"]
        history.append(losses.mse(prediction, y))
        g = losses.mse_grad(prediction, y)          # dL/dprediction
        grads = {"slope": np.sum(g * x), "intercept": np.sum(g)}
        params = opt.step(params, grads)
    return float(params["slope"]), float(params["intercept"]), np.array(history)


def _wrong_fit_line_gd(x, y, lr, steps, *, sequential=False, after=False, intercept_grad="right",
                       scale=1.0, sums=False):
    """The trajectories of classic mistakes (plain numpy, deliberately wrong)."""
    n = x.size
    if sums:
        scale = float(n)
    w = b = 0.0
    history = []
    for _ in range(steps):
        e = w * x + b - y
        if not after:
            history.append(np.mean(e ** 2))
        dw = scale * 2.0 * np.sum(e * x) / n
        w = w - lr * dw
        if sequential:
            e = w * x + b - y
        if intercept_grad == "right":
            db = scale * 2.0 * np.sum(e) / n
        elif intercept_grad == "no 2":
            db = scale * np.sum(e) / n
        elif intercept_grad == "times x":
            db = scale * 2.0 * np.sum(e * x) / n
        elif intercept_grad == "no 1/n":
            db = scale * 2.0 * np.sum(e)
        b = b - lr * db
        if after:
            history.append(np.mean((w * x + b - y) ** 2))
    return w, b, np.array(history)


_GD_MISTAKES = {
    "simultaneous-update bug: the intercept gradient was computed with the already-updated slope; "
    "compute both gradients from the old parameters, then update both": dict(sequential=True),
    "loss recorded after the update instead of before it: loss_history[0] must be the loss at "
    "slope = intercept = 0": dict(after=True),
    "wrong intercept gradient: dL/dintercept = (2/n) · sum(e), it has the factor 2": dict(intercept_grad="no 2"),
    "wrong intercept gradient: dL/dintercept = (2/n) · sum(e), without the x_i (that is the slope's)":
        dict(intercept_grad="times x"),
    "wrong intercept gradient: it is missing the 1/n": dict(intercept_grad="no 1/n"),
    "missing the factor 2 in both gradients (the ½ convention)": dict(scale=0.5),
    "missing the 1/n in both gradients (sum instead of mean): the step grows with the data size":
        dict(sums=True),
    "wrong sign: subtract lr times the gradient (slope -= lr * dL/dslope), do not add it": dict(scale=-1.0),
}


def _gd_cases():
    cases = []
    x, y, _ = data.regression_with_outliers(n=30, seed=0)
    cases.append(("30 points on y = 2x + 1 with noise, lr=0.1, steps=20", x, y, 0.1, 20))
    x, y, _ = data.regression_with_outliers(n=5, slope=-1.5, intercept=3.0, seed=1)
    cases.append(("5 points on y = -1.5x + 3, lr=0.01, steps=8", x, y, 0.01, 8))
    cases.append(("the same 5 points, lr=0.05, steps=1", x, y, 0.05, 1))
    x, y, _ = data.regression_with_outliers(n=1, seed=2)
    cases.append(("a single point, lr=0.1, steps=5", x, y, 0.1, 5))
    x, y, _ = data.regression_with_outliers(n=200, slope=0.5, intercept=-2.0, outlier_fraction=0.05, seed=3)
    cases.append(("200 points with 5% outliers, lr=0.05, steps=40", x, y, 0.05, 40))
    x, y, _ = data.regression_with_outliers(n=12, slope=1.0, intercept=4.0, noise=0.0, seed=4)
    cases.append(("12 points exactly on y = x + 4 with x shifted to [2, 8], lr=0.005, steps=30",
                  x + 5.0, y + 5.0, 0.005, 30))
    x, y, _ = data.regression_with_outliers(n=3, seed=5)
    cases.append(("3 points, lr=0.1, steps=0 (no step at all)", x, y, 0.1, 0))
    return cases


def check_fit_line_gd(fit_line_gd):
    """Check ``fit_line_gd(x, y, lr, steps) -> (slope, intercept, loss_history)``.

    Compares the final parameters and the whole loss history (one loss per step,
    recorded before that step's update) with the reference built from lossopt.
    """
    ex = Exercise("fit_line_gd", fit_line_gd)
    for desc, x, y, lr, steps in _gd_cases():
        result = ex.call(desc, x.copy(), y.copy(), lr, steps)
        slope, intercept, history = ex.unpack(result, ("slope", "intercept", "loss_history"), desc)
        ref_slope, ref_intercept, ref_history = _reference_fit_line_gd(x, y, lr, steps)
        with np.errstate(all="ignore"):  # some mistakes diverge
            wrong = {what: _wrong_fit_line_gd(x, y, lr, steps, **kw) for what, kw in _GD_MISTAKES.items()}
        if isinstance(history, (list, tuple, np.ndarray)) and len(history) == steps + 1 and steps > 0:
            ex.fail(f"loss_history has {steps + 1} losses for steps={steps}; expected {steps}.", case=desc,
                    hint="record one loss per step, before that step's update; the loss after the last "
                         "update is not part of the history")
        diverged = "the fit diverges: check the sign of the update and the 1/n in the gradients"
        ex.compare(desc, slope, ref_slope, what="the slope",
                   mistakes={k: v[0] for k, v in wrong.items()}, hint=diverged)
        ex.compare(desc, intercept, ref_intercept, what="the intercept",
                   mistakes={k: v[1] for k, v in wrong.items()}, hint=diverged)
        ex.compare(desc, history, ref_history, what="loss_history",
                   mistakes={k: v[2] for k, v in wrong.items()},
                   hint="loss_history[k] is mse(prediction, y) with the parameters before update k+1, "
                        "so loss_history[0] = mean(y²)")
    ex.passed(" (parameters and every loss of the history)")


# -- exercise 3: the closed form -------------------------------------------------------------------

def _least_squares(x, y):
    X = np.column_stack([x, np.ones_like(x)])
    slope, intercept = np.linalg.lstsq(X, y, rcond=None)[0]
    return float(slope), float(intercept)


def _ls_cases():
    cases = []
    x, y, _ = data.regression_with_outliers(n=30, seed=0)
    cases.append(("30 points on y = 2x + 1 with noise", x, y))
    x, y, _ = data.regression_with_outliers(n=2, seed=1)
    cases.append((f"two points: x = {fmt(x)}, y = {fmt(y)}", x, y))
    x, y, _ = data.regression_with_outliers(n=3, slope=-0.7, intercept=2.0, seed=2)
    cases.append((f"three points: x = {fmt(x)}, y = {fmt(y)}", x, y))
    x, y, _ = data.regression_with_outliers(n=10, slope=3.0, intercept=-1.0, noise=0.0, seed=3)
    cases.append(("10 points exactly on y = 3x - 1", x, y))
    x, y, _ = data.regression_with_outliers(n=500, slope=-2.0, intercept=0.5, noise=2.0,
                                            outlier_fraction=0.1, seed=4)
    cases.append(("500 noisy points on y = -2x + 0.5 with 10% outliers", x, y))
    x, y, _ = data.regression_with_outliers(n=25, slope=0.3, intercept=7.0, seed=5)
    cases.append(("25 points with x shifted to [7, 13]", x + 10.0, y))
    return cases


def check_fit_line_least_squares(fit_line_least_squares):
    """Check ``fit_line_least_squares(x, y) -> (slope, intercept)``: the exact minimiser of the MSE.

    Expected values come from ``np.linalg.lstsq``; the check also confirms with
    ``lossopt.losses.mse_grad`` that both partial derivatives of the MSE vanish there.
    """
    ex = Exercise("fit_line_least_squares", fit_line_least_squares, rtol=1e-6, atol=1e-8)
    for desc, x, y in _ls_cases():
        result = ex.call(desc, x.copy(), y.copy())
        slope, intercept = ex.unpack(result, ("slope", "intercept"), desc)
        ref_slope, ref_intercept = _least_squares(x, y)
        g = losses.mse_grad(ref_slope * x + ref_intercept, y)
        scale = 1.0 + np.abs(x).max() * np.abs(y).max()
        if max(abs(np.sum(g * x)), abs(np.sum(g))) > 1e-9 * scale:  # pragma: no cover - lstsq is exact
            raise RuntimeError(f"reference fit is not a minimum of lossopt.losses.mse on {desc}")
        n = x.size
        through_origin = float(np.sum(x * y) / np.sum(x * x))
        xm, ym = x.mean(), y.mean()
        cov_ddof1 = np.sum((x - xm) * (y - ym)) / (n - 1)
        mixed = cov_ddof1 / np.var(x)
        mistakes = {
            "returned (intercept, slope): return the slope first": (ref_intercept, ref_slope),
            "no intercept: add a column of ones to X (a line through the origin is not the best line)":
                (through_origin, 0.0),
            "np.cov divides by n - 1 but np.var by n: use the same normalisation for both":
                (mixed, ym - mixed * xm),
        }
        ex.compare(desc, (slope, intercept), (ref_slope, ref_intercept), what="(slope, intercept)",
                   mistakes=mistakes,
                   hint="minimise the MSE exactly: np.linalg.lstsq(X, y) with X = [x, 1], "
                        "or solve the normal equations XᵀX θ = Xᵀy")
    ex.passed()

