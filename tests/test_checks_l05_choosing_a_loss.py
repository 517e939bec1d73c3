"""The checks of lesson 05 accept right answers and reject wrong ones with a useful hint."""
from __future__ import annotations

import numpy as np
import pytest

from lossopt import losses
from lossopt.checks import check_best_constant, check_margin_losses
from lossopt.checks.l05_choosing_a_loss import minimiser_interval

from checkutil import fails, passes

# -- right answers, written as a learner would ----------------------------------------------------


def margin_losses(m):
    zero_one = (m <= 0).astype(float)
    logistic = np.maximum(-m, 0.0) + np.log1p(np.exp(-np.abs(m)))
    hinge = np.maximum(0.0, 1.0 - m)
    return {"zero_one": zero_one, "logistic": logistic, "hinge": hinge}


def margin_losses_logaddexp(m):
    return {"zero_one": np.where(m > 0, 0, 1), "logistic": np.logaddexp(0.0, -m),
            "hinge": np.clip(1.0 - m, 0.0, None), "extra": "ignored"}


def best_constant(y, loss, delta=1.0):
    """Mean, median, and IRLS for Huber."""
    if loss == "mse":
        return np.mean(y)
    if loss == "mae":
        return np.median(y)
    c = np.median(y)
    for _ in range(10_000):
        r = np.abs(y - c)
        w = np.minimum(1.0, delta / np.maximum(r, 1e-300))
        c_new = np.sum(w * y) / np.sum(w)
        if abs(c_new - c) <= 1e-10 * (1.0 + np.ptp(y)):
            return c_new
        c = c_new
    return c


def best_constant_newton(y, loss, delta=1.0):
    """Closed forms for MSE/MAE; for Huber, safeguarded Newton on the slope of the loss."""
    y = np.sort(y)
    if loss == "mse":
        return float(np.sum(y) / len(y))
    if loss == "mae":
        return float(y[(len(y) - 1) // 2])          # the lower middle value is a minimiser too
    lo, hi = y[0], y[-1]
    c = 0.5 * (lo + hi)
    for _ in range(500):
        r = c - y
        slope = np.sum(np.clip(r, -delta, delta))
        if slope > 0:
            hi = c
        elif slope < 0:
            lo = c
        else:
            return c
        curvature = np.sum(np.abs(r) < delta)
        c_new = c - slope / curvature if curvature else 0.5 * (lo + hi)
        if not lo < c_new < hi:
            c_new = 0.5 * (lo + hi)
        if abs(c_new - c) < 1e-13 * (1 + hi - lo):
            return c_new
        c = c_new
    return c


# -- passing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, answer", [
    (check_margin_losses, margin_losses), (check_margin_losses, margin_losses_logaddexp),
    (check_best_constant, best_constant), (check_best_constant, best_constant_newton),
])
def test_right_answer_passes_with_one_line(check, answer, capsys):
    passes(check, answer, capsys)


def test_reference_interval_is_right():
    assert minimiser_interval(np.array([1.0, 2.0, 3.0, 4.0]), "mse") == pytest.approx((2.5, 2.5), abs=1e-9)
    assert minimiser_interval(np.array([4.0, 1.0, 3.0, 2.0]), "mae") == pytest.approx((2.0, 3.0), abs=1e-9)
    assert minimiser_interval(np.array([0.0, 10.0]), "huber", 1.0) == pytest.approx((1.0, 9.0), abs=1e-9)
    lo, hi = minimiser_interval(np.array([1.0, 2.0, 3.0, 4.0, 100.0]), "huber", 1.0)
    assert lo == pytest.approx(3.0) and hi == pytest.approx(3.0)
    y = np.random.default_rng(0).lognormal(size=101)
    lo, hi = minimiser_interval(y, "huber", 0.5)
    assert hi - lo < 1e-9
    assert abs(np.sum(losses.huber_grad(np.full(101, lo), y, 0.5))) < 1e-11


# -- failing cleanly: NaN, shapes, inputs changed --------------------------------------------------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

@pytest.mark.parametrize("value, keyword", [
    (float("nan"), "nan"), (np.zeros(3), "shape"),
])
def test_best_constant_bad_return_values(value, keyword):
    assert keyword in fails(check_best_constant, lambda y, loss, delta=1.0: value)


@pytest.mark.parametrize("answer, keyword", [
    (lambda m: None, "dict"),
    (lambda m: "hello", "dict"),
    (lambda m: (m <= 0, np.logaddexp(0, -m), np.maximum(0, 1 - m)), "dict"),
    (lambda m: {"zero_one": m <= 0, "logistic": np.logaddexp(0, -m)}, "'hinge'"),
    (lambda m: {**margin_losses(m), "hinge": None}, "None"),
    (lambda m: {**margin_losses(m), "hinge": "max(0, 1-m)"}, "string"),
    (lambda m: {**margin_losses(m), "logistic": np.full(m.shape, np.nan)}, "NaN"),
    (lambda m: {**margin_losses(m), "hinge": np.mean(np.maximum(0, 1 - m))}, "elementwise"),
    (lambda m: {**margin_losses(m), "hinge": np.maximum(0, 1 - m).ravel()[:, None]}, "shape"),
])
def test_margin_losses_bad_return_values(answer, keyword):
    assert keyword in fails(check_margin_losses, answer)


def test_mutating_the_input_fails():
    def sorts_in_place(y, loss, delta=1.0):
        y.sort()
        return best_constant(y, loss, delta)
    assert "changed one of its inputs" in fails(check_best_constant, sorts_in_place)


# -- classic mistakes are named --------------------------------------------------------------------

def _with(key, fn):
    return lambda m: {**margin_losses(m), key: fn(m)}


@pytest.mark.parametrize("answer, keyword", [
    (_with("zero_one", lambda m: (m < 0).astype(float)), "m <= 0"),
    (_with("zero_one", lambda m: (m > 0).astype(float)), "accuracy"),
    (_with("zero_one", lambda m: (m < 1).astype(float)), "hinge"),
    (_with("logistic", lambda m: np.log(1 + np.exp(-m))), "overflows"),
    (_with("logistic", lambda m: -np.log(losses.sigmoid(m))), "overflows"),
    (_with("logistic", lambda m: np.logaddexp(0, m)), "sign of m"),
    (_with("logistic", lambda m: np.logaddexp(0, -m) / np.log(2)), "base 2"),
    (_with("logistic", lambda m: losses.sigmoid(-m)), "derivative"),
    (_with("hinge", lambda m: 1 - m), "max(0"),
    (_with("hinge", lambda m: np.maximum(0, -m)), "perceptron"),
    (_with("hinge", lambda m: np.maximum(0, 1 - m) ** 2), "squared hinge"),
    (_with("hinge", lambda m: np.maximum(0, 1 + m)), "sign of m"),
])
def test_margin_losses_mistakes_are_named(answer, keyword):
    with np.errstate(all="ignore"):
        message = fails(check_margin_losses, answer)
    assert keyword in message, message


def _huber_only(fn):
    return lambda y, loss, delta=1.0: fn(y, delta) if loss == "huber" else best_constant(y, loss, delta)


def _one_irls_step(y, delta):
    c = np.mean(y)
    w = np.minimum(1.0, delta / np.maximum(np.abs(y - c), 1e-300))
    return np.sum(w * y) / np.sum(w)


def _one_newton_step(y, delta):
    c = np.median(y)
    r = c - y
    inside = np.sum(np.abs(r) < delta)
    return c - np.sum(np.clip(r, -delta, delta)) / inside if inside else c


def _few_gradient_steps(y, delta):
    c = np.mean(y)
    for _ in range(50):
        c -= 0.5 * np.mean(np.clip(c - y, -delta, delta))
    return c


@pytest.mark.parametrize("answer, keyword", [
    (lambda y, loss, delta=1.0: np.mean(y), "median"),                      # the mean for everything
    (lambda y, loss, delta=1.0: np.median(y), "mean"),                      # the median for everything
    (lambda y, loss, delta=1.0: np.median(y) if loss == "mse" else best_constant(y, loss, delta), "mean"),
    (lambda y, loss, delta=1.0: y[len(y) // 2] if loss == "mae" else best_constant(y, loss, delta), "sorting"),
    (lambda y, loss, delta=1.0: (y.min() + y.max()) / 2 if loss == "mse" else best_constant(y, loss, delta),
     "midpoint"),
    (_huber_only(lambda y, delta: np.mean(y)), "weights are all 1"),
    (_huber_only(lambda y, delta: np.median(y)), "delta -> 0"),
    (_huber_only(lambda y, delta: best_constant(y, "huber", 1.0)), "ignored delta"),
    (_huber_only(_one_newton_step), "one Newton"),
    (_huber_only(_one_irls_step), "until c stops changing"),
    (_huber_only(_few_gradient_steps), "until c stops changing"),
])
def test_best_constant_mistakes_are_named(answer, keyword):
    with np.errstate(all="ignore"):
        message = fails(check_best_constant, answer)
    assert keyword in message, message
