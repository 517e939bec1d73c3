"""The checks of lesson 01 accept right answers and reject wrong ones with a useful hint."""
from __future__ import annotations

import numpy as np
import pytest

from lossopt.checks import check_fit_line_gd, check_fit_line_least_squares, check_mse, check_mse_grad

from checkutil import fails, passes

# -- right answers, written as a learner would ----------------------------------------------------


def mse(prediction, target):
    e = prediction - target
    return np.mean(e ** 2)


def mse_grad(prediction, target):
    e = prediction - target
    return 2 * e / e.size


def fit_line_gd(x, y, lr, steps):
    slope, intercept = 0.0, 0.0
    history = []
    n = len(x)
    for _ in range(steps):
        e = slope * x + intercept - y
        history.append(np.mean(e ** 2))
        d_slope = 2 * np.sum(e * x) / n
        d_intercept = 2 * np.sum(e) / n
        slope, intercept = slope - lr * d_slope, intercept - lr * d_intercept
    return slope, intercept, np.array(history)


def fit_line_least_squares(x, y):
    X = np.column_stack([x, np.ones_like(x)])
    slope, intercept = np.linalg.solve(X.T @ X, X.T @ y)   # the normal equations
    return slope, intercept


def fit_line_least_squares_lstsq(x, y):
    return tuple(np.polyfit(x, y, 1))


# -- passing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, answer", [
    (check_mse, mse), (check_mse_grad, mse_grad), (check_fit_line_gd, fit_line_gd),
    (check_fit_line_least_squares, fit_line_least_squares),
    (check_fit_line_least_squares, fit_line_least_squares_lstsq),
])
def test_right_answer_passes_with_one_line(check, answer, capsys):
    passes(check, answer, capsys)


def test_gd_accepts_a_list_history_and_numpy_scalars(capsys):
    def as_list(x, y, lr, steps):
        s, b, h = fit_line_gd(x, y, lr, steps)
        return np.float64(s), np.float64(b), [float(v) for v in h]
    passes(check_fit_line_gd, as_list, capsys)


# -- broken answers: NaN, shapes, inputs changed ---------------------------------------------------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

@pytest.mark.parametrize("check, nan", [
    (check_mse, lambda p, t: float("nan")),
    (check_mse_grad, lambda p, t: np.full(np.shape(p), np.nan)),
    (check_fit_line_gd, lambda x, y, lr, steps: (np.nan, np.nan, np.full(steps, np.nan))),
    (check_fit_line_least_squares, lambda x, y: (np.nan, np.nan)),
])
def test_nan_fails(check, nan):
    assert "NaN" in fails(check, nan)


def test_wrong_shapes():
    assert "shape" in fails(check_mse, lambda p, t: (p - t) ** 2)                       # forgot the mean
    assert "one number" in fails(check_mse, lambda p, t: np.mean((p - t) ** 2, axis=0) if np.ndim(p) > 1
                                 else np.mean((p - t) ** 2, keepdims=True) * np.ones(2))
    assert "shape" in fails(check_mse_grad, lambda p, t: np.ravel(mse_grad(p, t)))      # (N,1) -> (N,)
    assert "shape" in fails(check_mse_grad, lambda p, t: mse(p, t))                     # the loss, not the gradient
    assert "3 values" in fails(check_fit_line_gd, lambda x, y, lr, steps: fit_line_gd(x, y, lr, steps)[:2])
    assert "2 values" in fails(check_fit_line_least_squares, lambda x, y: (*fit_line_least_squares(x, y), 0.0))
    assert "shape" in fails(check_fit_line_gd,
                            lambda x, y, lr, steps: (*fit_line_gd(x, y, lr, steps)[:2], np.zeros((steps, 1))))


def test_mutating_the_input_fails():
    def in_place(p, t):
        p -= t
        return np.mean(p ** 2)
    assert "changed one of its inputs" in fails(check_mse, in_place)


# -- classic mistakes are named ------------------------------------------------------------------------

@pytest.mark.parametrize("wrong, keyword", [
    (lambda p, t: np.sum((p - t) ** 2), "1/n"),
    (lambda p, t: 0.5 * np.mean((p - t) ** 2), "½ convention"),
    (lambda p, t: np.sqrt(np.mean((p - t) ** 2)), "root mean squared"),
    (lambda p, t: np.mean(np.abs(p - t)), "mean absolute error"),
    (lambda p, t: np.sum((p - t) ** 2) / len(p), "number of rows"),
    (lambda p, t: np.mean(p - t) ** 2, "squared the mean"),
    (lambda p, t: np.sum((p - t) ** 2) / max(np.size(p) - 1, 1), "n - 1"),
])
def test_mse_mistakes(wrong, keyword):
    assert keyword in fails(check_mse, wrong)


@pytest.mark.parametrize("wrong, keyword", [
    (lambda p, t: 2 * (p - t), "missing the 1/n"),
    (lambda p, t: (p - t) / np.size(p), "missing the factor 2"),
    (lambda p, t: 2 * (t - p) / np.size(p), "wrong sign"),
    (lambda p, t: -2 * (p - t) / np.size(t), "with respect to the target"),
    (lambda p, t: 2 * (p - t) / len(p), "number of rows"),
    (lambda p, t: np.sign(p - t) / np.size(p), "mean absolute error"),
    (lambda p, t: (p - t) * 1.0, "missing both"),
    (lambda p, t: np.asarray(2 * (t - p), dtype=float), "wrong sign and missing the 1/n"),
])
def test_mse_grad_mistakes(wrong, keyword):
    assert keyword in fails(check_mse_grad, wrong)


def gd_variant(*, sequential=False, after=False, intercept_grad=None, scale=1.0, extra_loss=False,
               start=(0.0, 0.0)):
    def fit(x, y, lr, steps):
        slope, intercept = start
        history = []
        n = len(x)
        for _ in range(steps):
            e = slope * x + intercept - y
            if not after:
                history.append(np.mean(e ** 2))
            d_slope = scale * 2 * np.sum(e * x) / n
            slope = slope - lr * d_slope
            if sequential:
                e = slope * x + intercept - y
            d_intercept = scale * 2 * np.sum(e) / n
            if intercept_grad == "no 2":
                d_intercept = np.sum(e) / n
            elif intercept_grad == "times x":
                d_intercept = 2 * np.sum(e * x) / n
            intercept = intercept - lr * d_intercept
            if after:
                history.append(np.mean((slope * x + intercept - y) ** 2))
        if extra_loss:
            history.append(np.mean((slope * x + intercept - y) ** 2))
        return slope, intercept, np.array(history)
    return fit


@pytest.mark.parametrize("wrong, keyword", [
    (gd_variant(sequential=True), "simultaneous-update bug"),
    (gd_variant(after=True), "recorded after the update"),
    (gd_variant(intercept_grad="no 2"), "wrong intercept gradient"),
    (gd_variant(intercept_grad="times x"), "without the x_i"),
    (gd_variant(scale=0.5), "factor 2"),
    (gd_variant(scale=-1.0), "wrong sign"),
    (gd_variant(extra_loss=True), "the loss after the last update is not part of the history"),
    (gd_variant(start=(1.0, 0.0)), "the slope is wrong"),
])
def test_fit_line_gd_mistakes(wrong, keyword):
    assert keyword in fails(check_fit_line_gd, wrong)


def test_fit_line_gd_sum_instead_of_mean_is_caught():
    def sums(x, y, lr, steps):
        slope = intercept = 0.0
        history = []
        for _ in range(steps):
            e = slope * x + intercept - y
            history.append(np.sum(e ** 2))
            slope, intercept = slope - lr * 2 * np.sum(e * x), intercept - lr * 2 * np.sum(e)
        return slope, intercept, np.array(history)
    with np.errstate(all="ignore"):
        message = fails(check_fit_line_gd, sums)
    assert "missing the 1/n in both gradients" in message


@pytest.mark.parametrize("wrong, keyword", [
    (lambda x, y: fit_line_least_squares(x, y)[::-1], "slope first"),
    (lambda x, y: (np.sum(x * y) / np.sum(x * x), 0.0), "no intercept"),
    (lambda x, y: (np.cov(x, y)[0, 1] / np.var(x), np.mean(y) - np.cov(x, y)[0, 1] / np.var(x) * np.mean(x)),
     "n - 1"),
])
def test_least_squares_mistakes(wrong, keyword):
    assert keyword in fails(check_fit_line_least_squares, wrong)


def test_least_squares_gradient_descent_is_not_exact_enough():
    def few_steps(x, y):
        s, b, _ = fit_line_gd(x, y, 0.001, 100)
        return s, b
    assert "is wrong" in fails(check_fit_line_least_squares, few_steps)
