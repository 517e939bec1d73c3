"""Checks for lesson 02, cross-entropy.

Every check compares the learner's answer with ``lossopt.losses`` (the one source of
truth) on many inputs: random logits at several scales and shapes, logits in the
thousands (where the naive formulas overflow), z = 0, ties, a single row, C = 2,
targets 0/1 and fractional. When a wrong answer equals the value of a classic
mistake, the hint names it.
"""
from __future__ import annotations

import numpy as np

from .. import losses
from ._core import Exercise

__all__ = ["check_bce_with_logits", "check_bce_with_logits_grad", "check_softmax_cross_entropy",
           "check_train_logistic_regression"]

_STABLE_BCE_HINT = ("log(sigmoid(z)) underflows to log(0) = -inf once |z| is large: use "
                    "-log σ(z) = softplus(-z) = max(-z, 0) + log1p(exp(-|z|))")
_STABLE_SIGMOID_HINT = ("exp(-z) or exp(z) overflows to inf for |z| in the hundreds: compute σ(z) "
                        "with exp(-|z|) only (one formula for z >= 0, another for z < 0)")
_MAX_SHIFT_HINT = ("no max-shift: exp(1000) overflows to inf; subtract each row's maximum from the "
                   "logits before exponentiating (the log-sum-exp trick)")


def _require_one_number(ex, desc, got):
    shape = np.shape(got) if isinstance(got, (np.ndarray, list, tuple)) else ()
    ex.require(shape == (), f"the loss should be one number, got an array of shape {shape}.", case=desc,
               hint="average the per-example losses: return their mean (np.mean), not the array")


def _naive(fn, *args):
    """Evaluate a naive (overflowing) formula quietly: its inf/nan is the point."""
    with np.errstate(all="ignore"):
        return fn(*args)


# ---------------------------------------------------------------------------------------------
# Exercise 1: binary cross-entropy on logits, and its gradient
# ---------------------------------------------------------------------------------------------

def _bce_cases():
    """(description, z, y, is_extreme): logits of many scales, targets 0/1 and fractional."""
    rng = np.random.default_rng(2)
    cases = [
        ("z = [0.0], y = [1.0]", np.array([0.0]), np.array([1.0]), False),
        ("z = [0.0, 0.0], y = [0.0, 1.0]", np.array([0.0, 0.0]), np.array([0.0, 1.0]), False),
        ("z = [2.5], y = [0.0] (one element)", np.array([2.5]), np.array([0.0]), False),
    ]
    for n, scale in [(5, 1.0), (8, 3.0), (20, 10.0), (50, 0.3)]:
        z = scale * rng.standard_normal(n)
        y = rng.integers(0, 2, n).astype(float)
        cases.append((f"{n} random logits (scale {scale:g}), targets 0/1", z, y, False))
    z = 2.0 * rng.standard_normal(10)
    y = rng.uniform(0.0, 1.0, 10)
    cases.append(("10 random logits, fractional targets in [0, 1]", z, y, False))
    z = 2.0 * rng.standard_normal((3, 4))
    y = rng.integers(0, 2, (3, 4)).astype(float)
    cases.append(("logits of shape (3, 4), targets 0/1", z, y, False))
    z = np.array([-1000.0, -800.0, -50.0, 0.0, 50.0, 800.0, 1000.0, 5000.0])
    cases.append(("z = [-1000, -800, -50, 0, 50, 800, 1000, 5000], y = all 1", z, np.ones(8), True))
    cases.append(("z = [-1000, -800, -50, 0, 50, 800, 1000, 5000], y = all 0", z, np.zeros(8), True))
    cases.append(("z = [-3000, 3000, -745, 745], y = [1, 0, 0.5, 0.25]", np.array([-3000.0, 3000.0, -745.0, 745.0]),
                  np.array([1.0, 0.0, 0.5, 0.25]), True))
    z = 1500.0 * rng.standard_normal(30)
    y = rng.uniform(0.0, 1.0, 30).round(1)
    cases.append(("30 logits with |z| in the thousands, fractional targets", z, y, True))
    return cases


def _naive_bce(z, y):
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def _clipped_bce(z, y, eps=1e-7):
    p = np.clip(1.0 / (1.0 + np.exp(-z)), eps, 1.0 - eps)
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def check_bce_with_logits(bce_with_logits):
    """Check ``bce_with_logits(z, y)``: mean binary cross-entropy computed from logits, stable for any z."""
    ex = Exercise("bce_with_logits", bce_with_logits)
    for desc, z, y, extreme in _bce_cases():
        got = ex.call(desc, z.copy(), y.copy())
        _require_one_number(ex, desc, got)
        expected = losses.binary_cross_entropy_with_logits(z, y)
        per_element = (1.0 - y) * z + losses.softplus(-z)
        mistakes = {
            "the naive -log(sigmoid(z)) formula (overflows for large |z|)": _naive(_naive_bce, z, y),
            "clipping the probabilities (like eps = 1e-7) instead of a stable formula on logits: "
            "the loss saturates for large |z|": _naive(_clipped_bce, z, y),
            "sum instead of mean (missing the 1/N)": np.sum(per_element),
            "wrong sign (the loss must be >= 0)": -expected,
            "y and 1 - y swapped: the loss is (1 - y) * z + softplus(-z)":
                losses.binary_cross_entropy_with_logits(z, 1.0 - y),
        }
        ex.compare(desc, got, expected, what="the loss", mistakes=mistakes,
                   hint=_STABLE_BCE_HINT if extreme else None)
    ex.passed()


def check_bce_with_logits_grad(bce_with_logits_grad):
    """Check ``bce_with_logits_grad(z, y)``: (σ(z) - y) / n, same shape as z, finite for any z."""
    ex = Exercise("bce_with_logits_grad", bce_with_logits_grad)
    for desc, z, y, extreme in _bce_cases():
        got = ex.call(desc, z.copy(), y.copy())
        expected = losses.binary_cross_entropy_with_logits_grad(z, y)
        s = losses.sigmoid(z)
        mistakes = {
            "missing the 1/N: the mean's gradient is (σ(z) - y) / N": s - y,
            "wrong sign: the gradient is (σ(z) - y) / N, not (y - σ(z)) / N": -expected,
            "gradient with respect to the probability p = σ(z) instead of the logit z "
            "(missing the factor σ'(z) = p(1 - p))": _naive(lambda: (s - y) / (s * (1.0 - s)) / z.size),
            "divided by the number of rows instead of the number of elements": (s - y) / z.shape[0],
            "used y - σ(z) without the 1/N": y - s,
        }
        ex.compare(desc, got, expected, what="the gradient", mistakes=mistakes,
                   hint=_STABLE_SIGMOID_HINT if extreme else None)
    ex.passed()


# ---------------------------------------------------------------------------------------------
# Exercise 2: softmax cross-entropy with integer labels, value and gradient
# ---------------------------------------------------------------------------------------------

def _softmax_cases():
    """(description, logits (N, C), labels (N,) int, is_extreme)."""
    rng = np.random.default_rng(3)
    cases = []
    for n, c, scale in [(5, 3, 1.0), (8, 4, 3.0), (6, 2, 2.0), (30, 10, 1.5), (4, 5, 10.0)]:
        z = scale * rng.standard_normal((n, c))
        y = rng.integers(0, c, n)
        cases.append((f"random logits of shape ({n}, {c}) (scale {scale:g})", z, y, False))
    cases.append(("a single row: logits [[2.0, -1.0, 0.5]], label [2]", np.array([[2.0, -1.0, 0.5]]),
                  np.array([2]), False))
    cases.append(("ties: logits all 0, shape (3, 4), labels [0, 1, 3]", np.zeros((3, 4)), np.array([0, 1, 3]), False))
    cases.append(("ties: logits [[1, 1, 0], [5, 5, 5]], labels [1, 0]", np.array([[1.0, 1.0, 0.0], [5.0, 5.0, 5.0]]),
                  np.array([1, 0]), False))
    cases.append(("C = 2, one row: logits [[0.3, -0.7]], label [0]", np.array([[0.3, -0.7]]), np.array([0]), False))
    z = 1000.0 + rng.standard_normal((4, 3))
    cases.append(("logits around 1000 (no max-shift overflows), shape (4, 3)", z, np.array([0, 1, 2, 1]), True))
    cases.append(("logits [[1000, 1001, 1002], [-1000, -1001, -1002]], labels [0, 0]",
                  np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]]), np.array([0, 0]), True))
    cases.append(("C = 2 with large logits: [[1000, 0], [0, 1000], [800, 810]], labels [1, 1, 0]",
                  np.array([[1000.0, 0.0], [0.0, 1000.0], [800.0, 810.0]]), np.array([1, 1, 0]), True))
    z = 500.0 * rng.standard_normal((6, 4))
    cases.append(("logits with spread in the hundreds, shape (6, 4)", z, rng.integers(0, 4, 6), True))
    return cases


def _naive_softmax_ce(z, y):
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(y)), y]))


def _softmax_axis0_ce(z, y):
    p = losses.softmax(z, axis=0)
    n = len(y)
    return -np.mean(np.log(p[np.arange(n), y])), (p - losses.one_hot(y, z.shape[1])) / n


def check_softmax_cross_entropy(softmax_cross_entropy):
    """Check ``softmax_cross_entropy(logits, labels) -> (loss, grad)`` against lossopt's cross_entropy."""
    ex = Exercise("softmax_cross_entropy", softmax_cross_entropy)
    for desc, z, y, extreme in _softmax_cases():
        result = ex.call(desc, z.copy(), y.copy())
        ex.require(isinstance(result, (tuple, list)) and len(result) == 2,
                   f"expected a pair (loss, grad), got {type(result).__name__}"
                   + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "") + ".",
                   case=desc, hint="end your function with `return loss, grad`")
        loss, grad = result
        _require_one_number(ex, desc, loss)
        n, c = z.shape
        expected_loss = losses.cross_entropy(z, y)
        expected_grad = losses.cross_entropy_grad(z, y)
        onehot = losses.one_hot(y, c)
        p = losses.softmax(z)
        wrong_axis_loss, wrong_axis_grad = _naive(_softmax_axis0_ce, z, y)
        loss_mistakes = {
            "no max-shift: exp of large logits overflows": _naive(_naive_softmax_ce, z, y),
            "sum instead of mean over the rows (missing the 1/N)": n * expected_loss,
            "averaged over all N·C entries instead of the N rows": expected_loss / c,
            "softmax over the wrong axis (axis=0, down the columns, instead of axis=1 across the classes)":
                wrong_axis_loss,
            "wrong sign: the loss is -log p[label], which is >= 0": -expected_loss,
            "softmax applied twice (probabilities passed where logits are expected)": losses.cross_entropy(p, y),
        }
        ex.compare(desc, loss, expected_loss, what="the loss", mistakes=loss_mistakes,
                   hint=_MAX_SHIFT_HINT if extreme else None)
        grad_mistakes = {
            "gradient missing the 1/N: it is (softmax(z) - onehot) / N": p - onehot,
            "wrong sign: the gradient is (p - onehot) / N, not (onehot - p) / N": -expected_grad,
            "softmax over the wrong axis (axis=0 instead of axis=1)": wrong_axis_grad,
            "divided by N·C instead of N": expected_grad / c,
            "forgot to subtract the one-hot target: the gradient is (p - onehot) / N": p / n,
            "no max-shift: exp of large logits overflows": _naive(lambda: (np.exp(z) / np.exp(z).sum(1, keepdims=True)
                                                                           - onehot) / n),
        }
        ex.compare(desc, grad, expected_grad, what="the gradient", mistakes=grad_mistakes,
                   hint=_MAX_SHIFT_HINT if extreme else None)
    ex.passed()


# ---------------------------------------------------------------------------------------------
# Exercise 3: a few steps of logistic regression by gradient descent
# ---------------------------------------------------------------------------------------------

def _train_reference(X, y, lr, steps, variant=""):
    """Gradient descent on mean BCE with logits from w = 0, b = 0; ``variant`` reproduces a mistake."""
    w = np.zeros(X.shape[1])
    b = 0.0
    history = []
    for _ in range(steps):
        z = X @ w + b
        g = losses.binary_cross_entropy_with_logits_grad(z, y)
        if variant == "double_mean":
            g = g / len(y)
        grad_w, grad_b = X.T @ g, float(np.sum(g))
        if variant != "after":
            history.append(losses.binary_cross_entropy_with_logits(z, y))
        sign = -1.0 if variant == "ascent" else 1.0
        w = w - sign * lr * grad_w
        if variant != "no_bias":
            b = b - sign * lr * grad_b
        if variant == "after":
            history.append(losses.binary_cross_entropy_with_logits(X @ w + b, y))
    return w, b, np.array(history)


def _train_cases():
    from .. import data
    cases = []
    X, y = data.two_class(n=40, seed=1)
    cases.append(("two_class(n=40, seed=1), lr=0.5, steps=20", X, y.astype(float), 0.5, 20))
    X, y = data.two_class(n=7, separation=1.0, seed=4)
    cases.append(("two_class(n=7, separation=1, seed=4), lr=1.0, steps=1", X, y.astype(float), 1.0, 1))
    rng = np.random.default_rng(5)
    X = rng.standard_normal((25, 3)) + np.array([0.5, -1.0, 2.0])
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.standard_normal(25) > 1.5).astype(float)
    cases.append(("25 points with 3 features (off-centre), lr=0.3, steps=15", X, y, 0.3, 15))
    return cases


def check_train_logistic_regression(train_logistic_regression):
    """Check ``train_logistic_regression(X, y, lr, steps) -> (w, b, history)`` (w, b and every loss)."""
    ex = Exercise("train_logistic_regression", train_logistic_regression, rtol=1e-7, atol=1e-10)
    for desc, X, y, lr, steps in _train_cases():
        result = ex.call(desc, X.copy(), y.copy(), lr, steps)
        ex.require(isinstance(result, (tuple, list)) and len(result) == 3,
                   f"expected a triple (w, b, history), got {type(result).__name__}"
                   + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "") + ".",
                   case=desc, hint="end your function with `return w, b, history`")
        w, b, history = result
        ref_w, ref_b, ref_h = _train_reference(X, y, lr, steps)
        wrong = {name: _train_reference(X, y, lr, steps, name) for name in
                 ("after", "double_mean", "ascent", "no_bias")}
        names = {
            "after": "the loss recorded after the update instead of before it",
            "double_mean": "the gradient divided by N twice (bce_with_logits_grad already has the 1/N)",
            "ascent": "gradient ascent: the update is w <- w - lr * grad (minus, not plus)",
            "no_bias": "the bias b is never updated (its gradient is the sum of dL/dz)",
        }
        for k, (what, ref) in enumerate([("w", ref_w), ("b", ref_b), ("history", ref_h)]):
            got = (w, b, history)[k]
            if isinstance(got, (list, tuple)):
                try:
                    got = np.asarray(got, dtype=float)
                except (TypeError, ValueError):
                    pass
            mistakes = {names[v]: wrong[v][k] for v in wrong}
            if k == 2:
                ex.require(np.ndim(got) == 1 and len(got) == steps,
                           f"history should hold one loss per step ({steps} values), got "
                           + (f"{len(got)}" if np.ndim(got) == 1 else f"{type(got).__name__}") + ".",
                           case=desc, hint="append the loss once per step, before updating w and b")
            ex.compare(desc, got, ref, what=what, mistakes=mistakes,
                       hint="start from w = zeros, b = 0; each step: z = X @ w + b, record the loss, "
                            "g = dL/dz, w -= lr * X.T @ g, b -= lr * g.sum()")
    ex.passed()
