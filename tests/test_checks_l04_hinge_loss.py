"""Tests of the lesson 04 (hinge loss) exercise checks.

The reference solutions of hinge, hinge_grad, svm_step, train_svm and
multiclass_hinge_grad pass with one ✔ line; NaN, wrong shapes, pairs and triples that are
not, and changed inputs fail; every classic mistake (labels in {0, 1}, the kink, a
regularised bias, Crammer-Singer, ...) is named in the hint. A stub, None, a crash and
None or a string returned: test_checks_contract.py, for every check.
"""
from __future__ import annotations

import numpy as np
import pytest

from lossopt.checks import (check_hinge, check_hinge_grad, check_multiclass_hinge_grad, check_svm_step,
                            check_train_svm)

from checkutil import fails, passes, zeroing_first_input


# -- reference solutions, written as a learner would (plain numpy) ---------------------------------

def hinge(scores, y):
    return np.mean(np.maximum(0.0, 1.0 - y * scores))


def hinge_grad(scores, y):
    return np.where(y * scores < 1, -y, 0.0) / scores.size


def svm_step(w, b, X, y, lr, lam):
    delta = hinge_grad(X @ w + b, y)
    return w - lr * (X.T @ delta + lam * w), b - lr * np.sum(delta)


def train_svm(X, y, lr, lam, steps):
    w, b, history = np.zeros(X.shape[1]), 0.0, []
    for _ in range(steps):
        history.append(hinge(X @ w + b, y) + lam / 2 * np.sum(w ** 2))
        w, b = svm_step(w, b, X, y, lr, lam)
    return w, b, history


def multiclass_hinge_grad(scores, y, margin=1.0):
    n = scores.shape[0]
    rows = np.arange(n)
    margins = margin - scores[rows, y][:, None] + scores
    margins[rows, y] = 0.0
    g = (margins > 0).astype(float)
    g[rows, y] = -g.sum(axis=1)
    return g / n


CHECKS = {
    "hinge": (check_hinge, hinge),
    "hinge_grad": (check_hinge_grad, hinge_grad),
    "svm_step": (check_svm_step, svm_step),
    "train_svm": (check_train_svm, train_svm),
    "multiclass_hinge_grad": (check_multiclass_hinge_grad, multiclass_hinge_grad),
}


# -- every check: the right answer passes, changing an input fails ---------------------------------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

@pytest.mark.parametrize("name", CHECKS)
def test_reference_passes_with_one_line(name, capsys):
    check, answer = CHECKS[name]
    passes(check, answer, capsys)


@pytest.mark.parametrize("name", ["hinge", "hinge_grad", "multiclass_hinge_grad", "train_svm"])
def test_mutating_the_input_fails(name):
    check, answer = CHECKS[name]
    fails(check, zeroing_first_input(answer), "changed one of its inputs")


def test_svm_step_mutating_w_fails():
    def in_place(w, b, X, y, lr, lam):
        delta = hinge_grad(X @ w + b, y)
        w -= lr * (X.T @ delta + lam * w)          # modifies the caller's w
        return w, b - lr * np.sum(delta)
    fails(check_svm_step, in_place, "changed one of its inputs")


@pytest.mark.parametrize("junk,words", [(float("nan"), ["NaN"]), ({"a": 1}, ["dict"])])
def test_hinge_junk_results(junk, words):
    fails(check_hinge, lambda s, y: junk, *words)
    fails(check_hinge_grad, lambda s, y: junk)
    fails(check_multiclass_hinge_grad, lambda s, y, margin: junk)


def test_wrong_shapes():
    fails(check_hinge, lambda s, y: np.maximum(0.0, 1.0 - y * s), "one number", "mean")
    fails(check_hinge_grad, lambda s, y: np.mean(hinge_grad(s, y)), "shape")
    fails(check_hinge_grad, lambda s, y: hinge_grad(s, y).reshape(-1, 1), "shape", "wrong shape")
    fails(check_multiclass_hinge_grad, lambda s, y, margin: multiclass_hinge_grad(s, y, margin).T, "shape")
    fails(check_multiclass_hinge_grad, lambda s, y, margin: multiclass_hinge_grad(s, y, margin).sum(axis=1),
          "shape")


def test_nan_in_gradient():
    def nan_grad(s, y):
        g = hinge_grad(s, y)
        g[0] = np.nan
        return g
    fails(check_hinge_grad, nan_grad, "NaN")


def test_svm_step_junk_results():
    fails(check_svm_step, lambda w, b, X, y, lr, lam: None, "pair")
    fails(check_svm_step, lambda w, b, X, y, lr, lam: svm_step(w, b, X, y, lr, lam)[0], "pair")
    fails(check_svm_step, lambda w, b, X, y, lr, lam: ("w", 0.0), "string")
    fails(check_svm_step, lambda w, b, X, y, lr, lam: (np.full_like(w, np.nan), b), "NaN")
    fails(check_svm_step, lambda w, b, X, y, lr, lam: (svm_step(w, b, X, y, lr, lam)[0][:1], b), "shape")
    fails(check_svm_step,
          lambda w, b, X, y, lr, lam: (svm_step(w, b, X, y, lr, lam)[0], np.atleast_1d(svm_step(w, b, X, y, lr, lam)[1])),
          "b_new", "one number")


def test_train_junk_results():
    fails(check_train_svm, lambda X, y, lr, lam, steps: None, "triple")
    fails(check_train_svm, lambda X, y, lr, lam, steps: train_svm(X, y, lr, lam, steps)[:2], "triple")
    fails(check_train_svm, lambda X, y, lr, lam, steps: (np.full(X.shape[1], np.nan), 0.0, [0.0] * steps), "NaN")
    fails(check_train_svm, lambda X, y, lr, lam, steps: (*train_svm(X, y, lr, lam, steps)[:2], "loss"), "history")
    fails(check_train_svm, lambda X, y, lr, lam, steps: (*train_svm(X, y, lr, lam, steps)[:2],
                                                        train_svm(X, y, lr, lam, steps)[2][-1]), "history")
    fails(check_train_svm, lambda X, y, lr, lam, steps: (*train_svm(X, y, lr, lam, steps)[:2],
                                                        train_svm(X, y, lr, lam, steps)[2][:-1]), "history")


# -- classic mistakes, exercise 1 -----------------------------------------------------------------

def test_hinge_ignores_labels():
    fails(check_hinge, lambda s, y: np.mean(np.maximum(0.0, 1.0 - s)), "ignored the labels")


def test_hinge_missing_mean():
    fails(check_hinge, lambda s, y: np.sum(np.maximum(0.0, 1.0 - y * s)), "missing the 1/N")


def test_hinge_rows_instead_of_elements():
    fails(check_hinge, lambda s, y: np.sum(np.maximum(0.0, 1.0 - y * s)) / len(s), "number of rows")


def test_hinge_labels_assumed_01():
    fails(check_hinge, lambda s, y: hinge(s, 2 * y - 1), "0/1")
    fails(check_hinge, lambda s, y: np.mean(y * np.maximum(0, 1 - s) + (1 - y) * np.maximum(0, 1 + s)), "0/1")


def test_hinge_sign_inside_max_and_no_max():
    fails(check_hinge, lambda s, y: np.mean(np.maximum(0.0, y * s - 1.0)), "sign flipped")
    fails(check_hinge, lambda s, y: np.mean(1.0 - y * s), "max(0")


def test_hinge_grad_kink():
    msg = fails(check_hinge_grad, lambda s, y: np.where(y * s <= 1, -y, 0.0) / s.size, "kink", "< 1")
    assert "ties" in msg                      # the failing input is the one with y·s = 1 exactly


def test_hinge_grad_minus_y_everywhere():
    fails(check_hinge_grad, lambda s, y: -y / s.size, "-y everywhere")


def test_hinge_grad_missing_mean():
    fails(check_hinge_grad, lambda s, y: np.where(y * s < 1, -y, 0.0), "missing the 1/N")


def test_hinge_grad_wrong_sign():
    fails(check_hinge_grad, lambda s, y: np.where(y * s < 1, y, 0.0) / s.size, "wrong sign")


def test_hinge_grad_ignores_labels_or_chain_rule():
    fails(check_hinge_grad, lambda s, y: np.where(s < 1, -1.0, 0.0) / s.size, "labels")
    fails(check_hinge_grad, lambda s, y: np.where(y * s < 1, -1.0, 0.0) / s.size, "chain rule")


def test_hinge_grad_labels_assumed_01():
    fails(check_hinge_grad, lambda s, y: hinge_grad(s, 2 * y - 1), "0/1")


def test_hinge_grad_rows_instead_of_elements():
    fails(check_hinge_grad, lambda s, y: np.where(y * s < 1, -y, 0.0) / len(s), "number of rows")


# -- classic mistakes, exercise 2 -----------------------------------------------------------------

def test_svm_step_regularised_bias():
    def reg_bias(w, b, X, y, lr, lam):
        delta = hinge_grad(X @ w + b, y)
        return w - lr * (X.T @ delta + lam * w), b - lr * (np.sum(delta) + lam * b)
    fails(check_svm_step, reg_bias, "regularised the bias", "b_new")


def test_svm_step_forgot_regulariser():
    def no_reg(w, b, X, y, lr, lam):
        delta = hinge_grad(X @ w + b, y)
        return w - lr * (X.T @ delta), b - lr * np.sum(delta)
    fails(check_svm_step, no_reg, "forgot the regulariser", "λ·w")


def test_svm_step_double_regulariser():
    def double(w, b, X, y, lr, lam):
        delta = hinge_grad(X @ w + b, y)
        return w - lr * (X.T @ delta + 2 * lam * w), b - lr * np.sum(delta)
    fails(check_svm_step, double, "doubled")


def test_svm_step_wrong_sign():
    def ascent(w, b, X, y, lr, lam):
        delta = hinge_grad(X @ w + b, y)
        return w + lr * (X.T @ delta + lam * w), b + lr * np.sum(delta)
    fails(check_svm_step, ascent, "wrong sign")


def test_svm_step_kink():
    def kink(w, b, X, y, lr, lam):
        delta = np.where(y * (X @ w + b) <= 1, -y, 0.0) / len(y)
        return w - lr * (X.T @ delta + lam * w), b - lr * np.sum(delta)
    fails(check_svm_step, kink, "<= 1", "ties")


def test_svm_step_missing_and_double_mean():
    def no_mean(w, b, X, y, lr, lam):
        delta = np.where(y * (X @ w + b) < 1, -y, 0.0)
        return w - lr * (X.T @ delta + lam * w), b - lr * np.sum(delta)

    def double_mean(w, b, X, y, lr, lam):
        delta = hinge_grad(X @ w + b, y)
        return w - lr * (X.T @ delta / len(y) + lam * w), b - lr * np.mean(delta)
    fails(check_svm_step, no_mean, "missing the 1/N")
    fails(check_svm_step, double_mean, "twice")


def test_svm_step_scores_without_bias():
    def no_b(w, b, X, y, lr, lam):
        delta = hinge_grad(X @ w, y)
        return w - lr * (X.T @ delta + lam * w), b - lr * np.sum(delta)
    fails(check_svm_step, no_b, "forgot the bias in the scores")


# -- classic mistakes, exercise 3 -----------------------------------------------------------------

def _trainer(step=svm_step, record="before", objective=None):
    objective = objective or (lambda X, y, w, b, lam: hinge(X @ w + b, y) + lam / 2 * w @ w)

    def train(X, y, lr, lam, steps):
        w, b, history = np.zeros(X.shape[1]), 0.0, []
        for _ in range(steps):
            if record == "before":
                history.append(objective(X, y, w, b, lam))
            w, b = step(w, b, X, y, lr, lam)
            if record == "after":
                history.append(objective(X, y, w, b, lam))
        return w, b, np.array(history)
    return train


def test_train_history_after_the_step():
    fails(check_train_svm, _trainer(record="after"), "after the update")


def test_train_history_without_regulariser():
    fails(check_train_svm, _trainer(objective=lambda X, y, w, b, lam: hinge(X @ w + b, y)), "only the mean hinge")


def test_train_history_with_full_lambda():
    fails(check_train_svm, _trainer(objective=lambda X, y, w, b, lam: hinge(X @ w + b, y) + lam * w @ w), "λ·||w||²")


def test_train_forgot_regulariser_gradient():
    def step(w, b, X, y, lr, lam):
        delta = hinge_grad(X @ w + b, y)
        return w - lr * X.T @ delta, b - lr * np.sum(delta)
    fails(check_train_svm, _trainer(step=step), "forgot the regulariser")


def test_train_regularised_bias():
    def step(w, b, X, y, lr, lam):
        delta = hinge_grad(X @ w + b, y)
        return w - lr * (X.T @ delta + lam * w), b - lr * (np.sum(delta) + lam * b)
    fails(check_train_svm, _trainer(step=step), "regularised the bias")


def test_train_random_start_is_caught():
    def train(X, y, lr, lam, steps):
        w, b, history = np.ones(X.shape[1]), 0.0, []
        for _ in range(steps):
            history.append(hinge(X @ w + b, y) + lam / 2 * w @ w)
            w, b = svm_step(w, b, X, y, lr, lam)
        return w, b, history
    fails(check_train_svm, train, "w = zeros")


# -- classic mistakes, exercise 4 -----------------------------------------------------------------

def _mc(active_rule="gt", keep_self=False, true_class="count", scale=1.0):
    def grad(s, y, margin):
        n, c = s.shape
        rows = np.arange(n)
        raw = margin - s[rows, y][:, None] + s
        if not keep_self:
            raw[rows, y] = -np.inf
        active = raw > 0 if active_rule == "gt" else raw >= 0
        g = active.astype(float)
        if true_class == "count":
            g[rows, y] = -active.sum(axis=1)
        elif true_class == "zero":
            g[rows, y] = 0.0
        elif true_class == "one":
            g[rows, y] = -active.any(axis=1).astype(float)
        return scale * g / n
    return grad


def test_multiclass_true_class_as_competitor():
    fails(check_multiclass_hinge_grad, _mc(keep_self=True), "true class as a competitor")


def test_multiclass_kink():
    fails(check_multiclass_hinge_grad, _mc(active_rule="ge"), ">= 0", "kink")


def test_multiclass_missing_mean_sign_and_divided_by_c():
    fails(check_multiclass_hinge_grad, _mc(scale=2.0), )  # a wrong factor is always rejected
    fails(check_multiclass_hinge_grad, lambda s, y, m: _mc()(s, y, m) * len(y), "missing the 1/N")
    fails(check_multiclass_hinge_grad, lambda s, y, m: -_mc()(s, y, m), "wrong sign")
    fails(check_multiclass_hinge_grad, lambda s, y, m: _mc()(s, y, m) / s.shape[1], "multi_margin_loss")


def test_multiclass_true_class_forgotten_or_minus_one():
    fails(check_multiclass_hinge_grad, _mc(true_class="zero"), "forgot the true class")
    fails(check_multiclass_hinge_grad, _mc(true_class="one"), "-1 instead")


def test_multiclass_crammer_singer_is_named():
    def crammer_singer(s, y, margin):
        n = s.shape[0]
        rows = np.arange(n)
        others = s.copy()
        others[rows, y] = -np.inf
        j = others.argmax(axis=1)
        violated = margin - s[rows, y] + s[rows, j] > 0
        g = np.zeros_like(s)
        g[rows[violated], j[violated]] = 1.0
        g[rows[violated], y[violated]] = -1.0
        return g / n
    fails(check_multiclass_hinge_grad, crammer_singer, "Crammer–Singer")


def test_multiclass_ignores_margin_argument():
    fails(check_multiclass_hinge_grad, lambda s, y, margin: multiclass_hinge_grad(s, y, 1.0), "margin 0")
