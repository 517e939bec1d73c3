"""Checks for lesson 04, the hinge loss.

Exercises: ``hinge(scores, y)`` and ``hinge_grad(scores, y)`` (binary hinge, labels -1/+1),
``svm_step(w, b, X, y, lr, lam)`` (one subgradient step of the regularised linear SVM),
``train_svm(X, y, lr, lam, steps)`` (the whole loop, with the objective of every step) and
``multiclass_hinge_grad(scores, y, margin)`` (the Weston–Watkins subgradient, vectorised).

Every expected value comes from lossopt: ``losses.hinge``/``hinge_grad``,
``models.LinearSVM(reg=lam).loss_and_grad`` (objective and subgradient of the SVM) and
``losses.multiclass_hinge_grad``. The inputs include exact ties at the kink (y·s = 1, or
Δ − s_y + s_j = 0), where the subgradient must be 0 as in lossopt, margins far on either
side, one element, (N, 1) and 2-D shapes. The ``mistakes`` tables hold what each classic
mistake would return, so the hint can name it.
"""
from __future__ import annotations

import numpy as np

from .. import data, losses, models
from ._core import Exercise

__all__ = ["check_hinge", "check_hinge_grad", "check_svm_step", "check_train_svm",
           "check_multiclass_hinge_grad"]


def _require_one_number(ex, desc, got, what="the loss"):
    shape = np.shape(got) if isinstance(got, (np.ndarray, list, tuple)) else ()
    ex.require(shape == (), f"{what} should be one number, got an array of shape {shape}.", case=desc,
               hint="average the per-example losses: return their mean (np.mean), not the array")


def _require_tuple(ex, desc, result, n, names):
    ex.require(isinstance(result, (tuple, list)) and len(result) == n,
               f"expected a {'pair' if n == 2 else 'triple'} ({names}), got {type(result).__name__}"
               + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "") + ".",
               case=desc, hint=f"end your function with `return {names}`")


def _as_array(got):
    """Lists and tuples of numbers become arrays (a list of losses is a fine history)."""
    if isinstance(got, (list, tuple)):
        try:
            return np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return got
    return got


# ---------------------------------------------------------------------------------------------
# Exercise 1: the binary hinge loss and its subgradient
# ---------------------------------------------------------------------------------------------

def _hinge_cases():
    """(description, scores, labels -1/+1): ties at y·s = 1, far margins, shapes (N,), (N, 1), (3, 4)."""
    rng = np.random.default_rng(404)
    cases = [
        ("scores = [2.0, -0.5, 0.3, -3.0], y = [1, 1, -1, -1]",
         np.array([2.0, -0.5, 0.3, -3.0]), np.array([1, 1, -1, -1])),
        ("ties at the kink y·s = 1: scores = [1.0, -1.0, 0.5, 3.0, -0.2, 1.0], y = [1, -1, 1, 1, 1, -1]",
         np.array([1.0, -1.0, 0.5, 3.0, -0.2, 1.0]), np.array([1, -1, 1, 1, 1, -1])),
        ("all margins beyond 1: scores = [3.0, -2.0, 1.5], y = [1, -1, 1]",
         np.array([3.0, -2.0, 1.5]), np.array([1, -1, 1])),
        ("margins far on either side: scores = [1e6, -1e6, 1e6, -1e6], y = [1, -1, -1, 1]",
         np.array([1e6, -1e6, 1e6, -1e6]), np.array([1, -1, -1, 1])),
        ("one element: scores = [0.25], y = [-1]", np.array([0.25]), np.array([-1])),
        ("float labels with ties: scores = [1.0, -1.0, 0.0, 2.0], y = [1.0, -1.0, -1.0, -1.0]",
         np.array([1.0, -1.0, 0.0, 2.0]), np.array([1.0, -1.0, -1.0, -1.0])),
    ]
    for n, scale in [(10, 2.0), (50, 1.0), (200, 3.0)]:
        s = scale * rng.standard_normal(n)
        y = rng.choice([-1, 1], n)
        cases.append((f"{n} random scores (scale {scale:g}), random labels ±1", s, y))
    s = np.concatenate([rng.standard_normal(12), np.ones(4), -np.ones(4)])
    y = np.concatenate([rng.choice([-1, 1], 12), np.ones(4, int), -np.ones(4, int)])
    cases.append(("20 scores, 8 of them exactly on the margin (y·s = 1)", s, y))
    s = 2.0 * rng.standard_normal((6, 1))
    cases.append(("a column: scores and y of shape (6, 1)", s, rng.choice([-1, 1], (6, 1))))
    s = 2.0 * rng.standard_normal((3, 4))
    cases.append(("scores and y of shape (3, 4) (the mean is over all 12 elements)", s,
                  rng.choice([-1.0, 1.0], (3, 4))))
    return cases


def _hinge_values(s, y):
    """Per-element pieces used to build the mistakes."""
    y = y.astype(float)
    m = y * s
    y01 = 2.0 * y - 1.0          # what "turning 0/1 labels into ±1" does to labels that already are ±1
    return y, m, y01


def check_hinge(hinge):
    """Check ``hinge(scores, y)``: the mean of max(0, 1 - y·s) over all elements, labels -1/+1."""
    ex = Exercise("hinge", hinge)
    for desc, s, y in _hinge_cases():
        got = ex.call(desc, s.copy(), y.copy())
        _require_one_number(ex, desc, got)
        expected = losses.hinge(s, y)
        yf, m, y01 = _hinge_values(s, y)
        per = np.maximum(0.0, 1.0 - m)
        mistakes = {
            "ignored the labels: max(0, 1 - s) instead of max(0, 1 - y·s)": np.mean(np.maximum(0.0, 1.0 - s)),
            "sum instead of mean (missing the 1/N)": np.sum(per),
            "divided by the number of rows instead of the number of elements": np.sum(per) / s.shape[0],
            "labels treated as 0/1 (2·y - 1 turns the label -1 into -3): the labels already are -1 and +1":
                np.mean(np.maximum(0.0, 1.0 - y01 * s)),
            "labels treated as 0/1 (y·max(0, 1 - s) + (1 - y)·max(0, 1 + s)): the labels are -1 and +1":
                np.mean(yf * np.maximum(0.0, 1.0 - s) + (1.0 - yf) * np.maximum(0.0, 1.0 + s)),
            "sign flipped inside the max: max(0, y·s - 1) instead of max(0, 1 - y·s)":
                np.mean(np.maximum(0.0, m - 1.0)),
            "forgot the max(0, ·): 1 - y·s is negative for confident right answers, the loss is not":
                np.mean(1.0 - m),
            "wrong sign: the loss is max(0, 1 - y·s) >= 0": -expected,
        }
        ex.compare(desc, got, expected, what="the loss", mistakes=mistakes,
                   hint="the margin is m = y·s; each element costs max(0, 1 - m); return the mean")
    ex.passed()


def check_hinge_grad(hinge_grad):
    """Check ``hinge_grad(scores, y)``: -y·[y·s < 1] / n, same shape as scores, 0 at the kink y·s = 1."""
    ex = Exercise("hinge_grad", hinge_grad)
    for desc, s, y in _hinge_cases():
        got = ex.call(desc, s.copy(), y.copy())
        expected = losses.hinge_grad(s, y)
        yf, m, y01 = _hinge_values(s, y)
        n = s.size
        mistakes = {
            "used y·s <= 1: at the kink y·s = 1 the subgradient must be 0 (as in lossopt and PyTorch's "
            "relu), use y·s < 1": np.where(m <= 1.0, -yf, 0.0) / n,
            "the subgradient -y everywhere: it is 0 where y·s >= 1 (no loss there, no push)": -yf / n,
            "missing the 1/N: the loss is a mean, so the gradient is -y·[y·s < 1] / N":
                np.where(m < 1.0, -yf, 0.0),
            "wrong sign: the subgradient is -y where y·s < 1, not +y": np.where(m < 1.0, yf, 0.0) / n,
            "ignored the labels: that is the gradient of max(0, 1 - s), not of max(0, 1 - y·s)":
                np.where(s < 1.0, -1.0, 0.0) / n,
            "forgot the factor y from the chain rule (m = y·s, so dm/ds = y)": np.where(m < 1.0, -1.0, 0.0) / n,
            "labels treated as 0/1 (2·y - 1 turns -1 into -3): the labels already are -1 and +1":
                np.where(y01 * s < 1.0, -y01, 0.0) / n,
            "divided by the number of rows instead of the number of elements":
                np.where(m < 1.0, -yf, 0.0) / s.shape[0],
        }
        ex.compare(desc, got, expected, what="the gradient", mistakes=mistakes,
                   hint="d/ds max(0, 1 - y·s) is -y where y·s < 1 and 0 elsewhere (0 at y·s = 1 exactly); "
                        "divide by the number of elements")
    ex.passed()


# ---------------------------------------------------------------------------------------------
# Exercise 2: one subgradient step of the regularised linear SVM
# ---------------------------------------------------------------------------------------------

def _reference_step(w, b, X, y, lr, lam):
    """From lossopt: the objective and subgradient of models.LinearSVM, then w - lr·g_w, b - lr·g_b."""
    model = models.LinearSVM(X.shape[1], reg=lam)
    loss, grads = model.loss_and_grad({"w": w, "b": np.asarray(b, dtype=float)}, X, y)
    return w - lr * grads["w"], float(b - lr * grads["b"]), loss


def _variant_step(w, b, X, y, lr, lam, variant):
    """The step as a classic mistake computes it (for the hints)."""
    yf = y.astype(float)
    n = len(y)
    s = X @ w + (0.0 if variant == "no_b_in_scores" else b)
    m = yf * s
    if variant == "kink":
        delta = np.where(m <= 1.0, -yf, 0.0) / n
    elif variant == "all":
        delta = -yf / n
    else:
        delta = np.where(m < 1.0, -yf, 0.0) / n
    if variant == "no_mean":
        delta = delta * n
    if variant == "double_mean":
        delta = delta / n
    reg = {"no_reg": 0.0, "double_reg": 2.0 * lam, "half_reg": 0.5 * lam}.get(variant, lam)
    grad_w = X.T @ delta + reg * w
    grad_b = np.sum(delta) + (lam * b if variant == "reg_bias" else 0.0)
    sign = -1.0 if variant == "ascent" else 1.0
    return w - sign * lr * grad_w, b - sign * lr * grad_b


_STEP_MISTAKES = {
    "reg_bias": "regularised the bias: the penalty (λ/2)·||w||² does not contain b, so b's gradient is "
                "just the sum of the hinge subgradients",
    "no_reg": "forgot the regulariser's gradient λ·w in the update of w",
    "double_reg": "the regulariser's gradient doubled: (λ/2)·||w||² has gradient λ·w, not 2λ·w",
    "half_reg": "the regulariser's gradient halved: (λ/2)·||w||² has gradient λ·w, not (λ/2)·w",
    "ascent": "wrong sign: a descent step subtracts, w - lr·grad (this stepped uphill)",
    "kink": "used y·f <= 1: a point exactly on the margin (y·f = 1) has subgradient 0, use y·f < 1",
    "all": "the subgradient -y/N for every point: only points with y·f < 1 contribute",
    "no_mean": "missing the 1/N: the hinge term is a mean, its subgradient is -y·[y·f < 1] / N",
    "double_mean": "divided by N twice (the hinge subgradient already has the 1/N; X.T @ delta sums it)",
    "no_b_in_scores": "forgot the bias in the scores: f = X @ w + b",
}
_STEP_HINT = ("f = X @ w + b; delta = -y·[y·f < 1] / N; w_new = w - lr·(X.T @ delta + lam·w); "
              "b_new = b - lr·sum(delta) (no penalty on b)")


def _step_cases():
    rng = np.random.default_rng(44)
    cases = []
    X = rng.standard_normal((6, 2))
    cases.append(("w = [0.5, -0.25], b = 0.1, 6 random points in 2-D, lr = 0.1, lam = 0.5",
                  np.array([0.5, -0.25]), 0.1, X, rng.choice([-1, 1], 6), 0.1, 0.5))
    X, y01 = data.two_class(n=20, seed=1)
    cases.append(("the start w = [0, 0], b = 0, two_class(n=20, seed=1), lr = 0.2, lam = 0.01",
                  np.zeros(2), 0.0, X, 2 * y01 - 1, 0.2, 0.01))
    X = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.5, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    cases.append(("ties: w = [2, 1], b = -1; the first two points lie exactly on the margin (y·f = 1), "
                  "lr = 0.5, lam = 0.1", np.array([2.0, 1.0]), -1.0, X, np.array([1, -1, 1, 1, -1, -1]), 0.5, 0.1))
    X = rng.standard_normal((12, 3))
    cases.append(("lam = 0 (no regulariser): w = [1, -2, 0.5], b = 0.3, 12 points in 3-D, lr = 0.05",
                  np.array([1.0, -2.0, 0.5]), 0.3, X, rng.choice([-1, 1], 12), 0.05, 0.0))
    cases.append(("one point, one feature: w = [2.0], b = -0.5, X = [[0.3]], y = [1], lr = 0.1, lam = 0.2",
                  np.array([2.0]), -0.5, np.array([[0.3]]), np.array([1]), 0.1, 0.2))
    X = np.array([[2.0, 2.0], [3.0, 1.0], [-2.0, -1.0], [-1.0, -3.0]])
    cases.append(("every point beyond the margin (only the regulariser acts): w = [1, 1], b = 0.5, "
                  "lr = 0.1, lam = 0.3", np.array([1.0, 1.0]), 0.5, X, np.array([1, 1, -1, -1]), 0.1, 0.3))
    X = rng.standard_normal((20, 5))
    cases.append(("w random, b = -0.7, 20 points in 5-D, lr = 0.05, lam = 1.0",
                  rng.standard_normal(5), -0.7, X, rng.choice([-1, 1], 20), 0.05, 1.0))
    return cases


def check_svm_step(svm_step):
    """Check ``svm_step(w, b, X, y, lr, lam) -> (w_new, b_new)`` against lossopt's LinearSVM subgradient."""
    ex = Exercise("svm_step", svm_step)
    for desc, w, b, X, y, lr, lam in _step_cases():
        result = ex.call(desc, w.copy(), b, X.copy(), y.copy(), lr, lam)
        _require_tuple(ex, desc, result, 2, "w_new, b_new")
        ref_w, ref_b, _ = _reference_step(w, b, X, y, lr, lam)
        wrong = {v: _variant_step(w, b, X, y, lr, lam, v) for v in _STEP_MISTAKES}
        for k, (what, ref) in enumerate([("w_new", ref_w), ("b_new", ref_b)]):
            got = _as_array(result[k])
            if k == 1:
                _require_one_number(ex, desc, got, what="b_new")
            ex.compare(desc, got, ref, what=what, hint=_STEP_HINT,
                       mistakes={_STEP_MISTAKES[v]: wrong[v][k] for v in _STEP_MISTAKES})
    ex.passed()


# ---------------------------------------------------------------------------------------------
# Exercise 3: training the SVM, with the objective of every step
# ---------------------------------------------------------------------------------------------

def _reference_train(X, y, lr, lam, steps):
    w, b, history = np.zeros(X.shape[1]), 0.0, []
    for _ in range(steps):
        w, b, loss = _reference_step(w, b, X, y, lr, lam)   # loss: the objective before this step
        history.append(loss)
    return w, b, np.array(history)


def _variant_train(X, y, lr, lam, steps, variant):
    """The training loop with one classic mistake (in the history or in the step)."""
    w, b, history = np.zeros(X.shape[1]), 0.0, []

    def objective(w, b):
        hinge = losses.hinge(X @ w + b, y)
        if variant == "history_no_reg":
            return hinge
        if variant == "history_full_reg":
            return hinge + lam * np.dot(w, w)
        return hinge + 0.5 * lam * np.dot(w, w)

    step_variant = variant if variant in _STEP_MISTAKES else ""
    for _ in range(steps):
        if variant != "after":
            history.append(objective(w, b))
        w, b = _variant_step(w, b, X, y, lr, lam, step_variant)
        if variant == "after":
            history.append(objective(w, b))
    return w, b, np.array(history)


_TRAIN_MISTAKES = {
    "after": "the objective recorded after the update instead of before it",
    "history_no_reg": "the history holds only the mean hinge loss: the objective also has (λ/2)·||w||²",
    "history_full_reg": "the history uses λ·||w||²: the penalty is (λ/2)·||w||²",
    **{v: _STEP_MISTAKES[v] for v in ("reg_bias", "no_reg", "double_reg", "ascent", "kink", "no_mean",
                                      "double_mean", "no_b_in_scores")},
}


def _train_cases():
    cases = []
    X, y01 = data.two_class(n=30, separation=3.0, seed=1)
    cases.append(("two_class(n=30, separation=3, seed=1) with labels 2y - 1, lr = 0.2, lam = 0.05, steps = 30",
                  X, 2 * y01 - 1, 0.2, 0.05, 30))
    rng = np.random.default_rng(7)
    X = rng.standard_normal((15, 3)) + np.array([1.0, -0.5, 0.0])
    y = np.where(X[:, 0] + X[:, 1] - 0.5 * X[:, 2] + 0.3 * rng.standard_normal(15) > 0.5, 1, -1)
    cases.append(("15 points with 3 features (off-centre), lr = 0.1, lam = 0.5, steps = 12", X, y, 0.1, 0.5, 12))
    X, y01 = data.two_class(n=20, separation=4.0, seed=2)
    cases.append(("two_class(n=20, separation=4, seed=2), lam = 0 (no regulariser), lr = 0.3, steps = 25",
                  X, 2 * y01 - 1, 0.3, 0.0, 25))
    X, y01 = data.two_class(n=8, seed=3)
    cases.append(("two_class(n=8, seed=3), lr = 1.0, lam = 0.1, steps = 1", X, 2 * y01 - 1, 1.0, 0.1, 1))
    return cases


def check_train_svm(train_svm):
    """Check ``train_svm(X, y, lr, lam, steps) -> (w, b, history)``: w, b and the objective at every step."""
    ex = Exercise("train_svm", train_svm, rtol=1e-7, atol=1e-10)
    for desc, X, y, lr, lam, steps in _train_cases():
        result = ex.call(desc, X.copy(), y.copy(), lr, lam, steps)
        _require_tuple(ex, desc, result, 3, "w, b, history")
        reference = _reference_train(X, y, lr, lam, steps)
        wrong = {v: _variant_train(X, y, lr, lam, steps, v) for v in _TRAIN_MISTAKES}
        for k, what in enumerate(("w", "b", "history")):
            got = _as_array(result[k])
            if k == 1:
                _require_one_number(ex, desc, got, what="b")
            if k == 2:
                ex.require(isinstance(got, np.ndarray) and got.ndim == 1 and len(got) == steps,
                           f"history should hold one value per step ({steps} values), got "
                           + (f"{len(got)}" if isinstance(got, np.ndarray) and got.ndim == 1
                              else type(result[k]).__name__) + ".",
                           case=desc, hint="append the objective once per step, before updating w and b")
            ex.compare(desc, got, reference[k], what=what,
                       mistakes={_TRAIN_MISTAKES[v]: wrong[v][k] for v in _TRAIN_MISTAKES},
                       hint="start from w = zeros(D), b = 0; each step: record "
                            "hinge(X @ w + b, y) + lam/2·||w||², then (w, b) = svm_step(...)")
    ex.passed()


# ---------------------------------------------------------------------------------------------
# Exercise 4: the Weston–Watkins multi-class hinge subgradient, vectorised
# ---------------------------------------------------------------------------------------------

def _multiclass_cases():
    rng = np.random.default_rng(4040)
    cases = [
        ("scores [[3.0, 1.0, 2.5], [0.0, 2.0, 1.5]], y = [0, 1], margin 1",
         np.array([[3.0, 1.0, 2.5], [0.0, 2.0, 1.5]]), np.array([0, 1]), 1.0),
        ("ties at the kink (Δ - s_y + s_j = 0): scores [[2, 1, 0], [1, 1, 3], [0, 0, 0]], y = [0, 1, 2], margin 1",
         np.array([[2.0, 1.0, 0.0], [1.0, 1.0, 3.0], [0.0, 0.0, 0.0]]), np.array([0, 1, 2]), 1.0),
        ("margin 0 with ties: scores [[1, 1, 0], [0.5, 2, 2]], y = [0, 2]",
         np.array([[1.0, 1.0, 0.0], [0.5, 2.0, 2.0]]), np.array([0, 2]), 0.0),
        ("one row, 5 classes: scores [[0.5, 2.0, -1.0, 1.8, 0.0]], y = [1], margin 1",
         np.array([[0.5, 2.0, -1.0, 1.8, 0.0]]), np.array([1]), 1.0),
    ]
    for n, c, scale, margin in [(10, 3, 2.0, 1.0), (6, 4, 1.0, 2.5), (5, 2, 1.5, 1.0), (50, 10, 1.0, 1.0)]:
        s = scale * rng.standard_normal((n, c))
        cases.append((f"random scores of shape ({n}, {c}) (scale {scale:g}), margin {margin:g}", s,
                      rng.integers(0, c, n), margin))
    s = 1000.0 * rng.standard_normal((4, 3))
    cases.append(("scores in the thousands, shape (4, 3), margin 1", s, np.array([0, 1, 2, 0]), 1.0))
    s = rng.integers(-2, 3, (8, 4)).astype(float)
    cases.append(("integer scores in -2..2 (many ties), shape (8, 4), margin 1", s, rng.integers(0, 4, 8), 1.0))
    return cases


def _multiclass_variants(s, y, margin):
    n, c = s.shape
    rows = np.arange(n)
    raw = margin - s[rows, y][:, None] + s                 # Δ - s_y + s_j, the y column included
    others = np.ones_like(s, dtype=bool)
    others[rows, y] = False

    def assemble(active, true_class):
        g = active.astype(float)
        g[rows, y] = true_class(active)
        return g

    pos = (raw > 0) & others
    count = lambda a: -np.sum(a & others, axis=1)          # noqa: E731
    right = assemble(pos, count) / n
    with_self = (raw > 0)
    g_self = with_self.astype(float)
    g_self[rows, y] = -np.sum(with_self, axis=1)
    best_wrong = np.argmax(np.where(others, s, -np.inf), axis=1)
    cs = np.zeros_like(s)
    violated = raw[rows, best_wrong] > 0
    cs[rows[violated], best_wrong[violated]] = 1.0
    cs[rows[violated], y[violated]] = -1.0
    return {
        "counted the true class as a competitor (its own term is max(0, Δ) = Δ > 0): leave j = y out":
            g_self / n,
        "used >= 0 at the kink: a term with Δ - s_y + s_j = 0 exactly has subgradient 0, use > 0":
            assemble((raw >= 0) & others, count) / n,
        "missing the 1/N: the loss is a mean over the N rows": right * n,
        "wrong sign: +1 goes to each wrong class with a positive term, minus their count to the true class":
            -right,
        "divided by the number of classes C as well (that is PyTorch's multi_margin_loss)": right / c,
        "forgot the true class: its entry is minus the number of wrong classes with a positive term":
            assemble(pos, lambda a: 0.0) / n,
        "the true class gets -1 instead of minus the number of wrong classes with a positive term":
            assemble(pos, lambda a: -np.any(a & others, axis=1).astype(float)) / n,
        "that is the Crammer–Singer gradient (only the highest-scoring wrong class): this exercise is the "
        "Weston–Watkins sum over all wrong classes": cs / n,
    }


def check_multiclass_hinge_grad(multiclass_hinge_grad):
    """Check ``multiclass_hinge_grad(scores, y, margin) -> (N, C)`` against lossopt's Weston–Watkins subgradient."""
    ex = Exercise("multiclass_hinge_grad", multiclass_hinge_grad)
    for desc, s, y, margin in _multiclass_cases():
        got = ex.call(desc, s.copy(), y.copy(), margin)
        expected = losses.multiclass_hinge_grad(s, y, margin)
        ex.compare(desc, _as_array(got), expected, what="the gradient", mistakes=_multiclass_variants(s, y, margin),
                   hint="for each row: +1 for every wrong class j with Δ - s_y + s_j > 0, minus that count for "
                        "the true class y, all divided by N")
    ex.passed()
