"""The checks of lesson 03 accept right answers and reject wrong ones with a useful hint."""
from __future__ import annotations

import numpy as np
import pytest

from lossopt.checks import check_choose_delta, check_fit_huber, check_huber, check_huber_grad

from checkutil import fails, passes

# -- right answers, written as a learner would ----------------------------------------------------


def huber(prediction, target, delta=1.0):
    e = prediction - target
    a = np.abs(e)
    return np.mean(np.where(a < delta, 0.5 * e ** 2, delta * (a - 0.5 * delta)))


def huber_le(prediction, target, delta=1.0):
    """|e| <= delta for the quadratic branch: the same values (both pieces meet at the tie)."""
    e = prediction - target
    a = np.abs(e)
    return np.mean(np.where(a <= delta, 0.5 * e ** 2, delta * (a - 0.5 * delta)))


def huber_grad(prediction, target, delta=1.0):
    e = prediction - target
    return np.clip(e, -delta, delta) / e.size


def huber_grad_where(prediction, target, delta=1.0):
    e = prediction - target
    return np.where(np.abs(e) <= delta, e, delta * np.sign(e)) / e.size


def fit_huber(x, y, delta=1.0, lr=0.1, steps=100):
    slope, intercept = 0.0, 0.0
    history = []
    n = len(x)
    for _ in range(steps):
        e = slope * x + intercept - y
        history.append(huber(slope * x + intercept, y, delta))
        g = np.clip(e, -delta, delta) / n
        slope, intercept = slope - lr * np.sum(g * x), intercept - lr * np.sum(g)
    return slope, intercept, np.array(history)


def choose_delta(residuals, k=1.345):
    mad = np.median(np.abs(residuals - np.median(residuals)))
    return k * mad / 0.6745


def choose_delta_14826(residuals, k=1.345):
    return k * 1.4826 * np.median(np.abs(residuals - np.median(residuals)))


# -- passing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, answer", [
    (check_huber, huber), (check_huber, huber_le), (check_huber_grad, huber_grad),
    (check_huber_grad, huber_grad_where), (check_fit_huber, fit_huber), (check_choose_delta, choose_delta),
    (check_choose_delta, choose_delta_14826),
])
def test_right_answer_passes_with_one_line(check, answer, capsys):
    passes(check, answer, capsys)


def test_fit_accepts_a_list_history_and_numpy_scalars(capsys):
    def as_list(x, y, delta, lr, steps):
        s, b, h = fit_huber(x, y, delta, lr, steps)
        return np.float64(s), np.float64(b), [float(v) for v in h]
    passes(check_fit_huber, as_list, capsys)


def test_the_checks_use_ties_and_the_default_delta():
    """A Huber that is wrong only at |e| = δ, or only for the default δ, does not pass."""
    def grad_zero_at_tie(prediction, target, delta=1.0):
        e = prediction - target
        return np.where(np.abs(e) == delta, 0.0, np.clip(e, -delta, delta)) / e.size
    assert "gradient is wrong" in fails(check_huber_grad, grad_zero_at_tie)

    def huber_default_2(prediction, target, delta=2.0):
        return huber(prediction, target, delta)
    assert "default" in fails(check_huber, huber_default_2)


# -- failing cleanly: NaN, shapes, inputs changed --------------------------------------------------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

@pytest.mark.parametrize("check, answer, keyword", [
    (check_huber, lambda p, t, d=1.0: float("nan"), "NaN"),
    (check_huber, lambda p, t, d=1.0: np.where(np.abs(p - t) < d, 0.5 * (p - t) ** 2, d * (np.abs(p - t) - d / 2)),
     "shape"),
    (check_huber_grad, lambda p, t, d=1.0: np.full(np.shape(p), np.nan), "NaN"),
    (check_huber_grad, lambda p, t, d=1.0: np.ravel(huber_grad(p, t, d)) if np.ndim(p) > 1 else
     np.sum(huber_grad(p, t, d)), "shape"),
    (check_fit_huber, lambda x, y, d, lr, s: (np.nan, np.nan, np.full(s, np.nan)), "NaN"),
    (check_fit_huber, lambda x, y, d, lr, s: "slope", "tuple"),
    (check_fit_huber, lambda x, y, d, lr, s: fit_huber(x, y, d, lr, s)[:2], "tuple of 3"),
    (check_fit_huber, lambda x, y, d, lr, s: (np.array([fit_huber(x, y, d, lr, s)[0]]),)
     + fit_huber(x, y, d, lr, s)[1:], "shape"),
    (check_choose_delta, lambda r, k=1.345: float("nan"), "NaN"),
    (check_choose_delta, lambda r, k=1.345: np.array([choose_delta(r, k)]), "shape"),
])
def test_bad_return_values_fail_cleanly(check, answer, keyword):
    assert keyword in fails(check, answer)


def test_mutating_the_input_is_caught():
    def in_place(prediction, target, delta=1.0):
        prediction -= target
        return huber(prediction, np.zeros_like(prediction), delta)
    assert "changed one of its inputs" in fails(check_huber, in_place)

    def sorts(residuals, k=1.345):
        residuals.sort()
        return choose_delta(residuals, k)
    assert "changed one of its inputs" in fails(check_choose_delta, sorts)


# -- classic mistakes are named --------------------------------------------------------------------

def _e(p, t):
    return np.asarray(p, dtype=float) - np.asarray(t, dtype=float)


def huber_no_half(p, t, d=1.0):
    e = _e(p, t)
    return np.mean(np.where(np.abs(e) < d, e ** 2, d * (np.abs(e) - 0.5 * d)))


def huber_no_shift(p, t, d=1.0):
    e = _e(p, t)
    return np.mean(np.where(np.abs(e) < d, 0.5 * e ** 2, d * np.abs(e)))


def huber_sum(p, t, d=1.0):
    e = _e(p, t)
    return np.sum(np.where(np.abs(e) < d, 0.5 * e ** 2, d * (np.abs(e) - 0.5 * d)))


def huber_delta_in_quadratic(p, t, d=1.0):
    e = _e(p, t)
    return np.mean(np.where(np.abs(e) < d, 0.5 * d * e ** 2, d * (np.abs(e) - 0.5 * d)))


def smooth_l1(p, t, d=1.0):
    return huber(p, t, d) / d


def huber_no_abs(p, t, d=1.0):
    e = _e(p, t)
    return np.mean(np.where(np.abs(e) < d, 0.5 * e ** 2, d * (e - 0.5 * d)))


def huber_signed_compare(p, t, d=1.0):
    e = _e(p, t)
    return np.mean(np.where(e < d, 0.5 * e ** 2, d * (np.abs(e) - 0.5 * d)))


def huber_swapped(p, t, d=1.0):
    e = _e(p, t)
    return np.mean(np.where(np.abs(e) < d, d * (np.abs(e) - 0.5 * d), 0.5 * e ** 2))


def half_mse(p, t, d=1.0):
    return np.mean(0.5 * _e(p, t) ** 2)


def mse(p, t, d=1.0):
    return np.mean(_e(p, t) ** 2)


def huber_rows(p, t, d=1.0):
    e = _e(p, t)
    return np.sum(np.where(np.abs(e) < d, 0.5 * e ** 2, d * (np.abs(e) - 0.5 * d))) / len(e)


@pytest.mark.parametrize("wrong, keyword", [
    (huber_no_half, "missing the ½"), (huber_no_shift, "-½δ²"), (huber_sum, "missing the 1/n"),
    (huber_delta_in_quadratic, "δ in the quadratic branch"), (smooth_l1, "smooth_l1_loss"),
    (huber_no_abs, "absolute value"), (huber_signed_compare, "compared e, not |e|"),
    (huber_swapped, "swapped"), (half_mse, "forgot the linear branch"), (mse, "this is the MSE"),
    (huber_rows, "number of rows"),
])
def test_huber_mistakes_are_named(wrong, keyword):
    message = fails(check_huber, wrong)
    assert keyword in message, message


def grad_no_n(p, t, d=1.0):
    return np.clip(_e(p, t), -d, d)


def grad_unclipped(p, t, d=1.0):
    e = _e(p, t)
    return e / e.size


def grad_sign_delta(p, t, d=1.0):
    e = _e(p, t)
    return d * np.sign(e) / e.size


def grad_sign_tails(p, t, d=1.0):
    e = _e(p, t)
    return np.where(np.abs(e) < d, e, np.sign(e)) / e.size


def grad_smooth_l1(p, t, d=1.0):
    return huber_grad(p, t, d) / d


def grad_two_e(p, t, d=1.0):
    e = _e(p, t)
    return np.where(np.abs(e) < d, 2 * e, d * np.sign(e)) / e.size


def grad_delta_e(p, t, d=1.0):
    e = _e(p, t)
    return np.where(np.abs(e) < d, d * e, d * np.sign(e)) / e.size


def grad_wrt_target(p, t, d=1.0):
    return -huber_grad(p, t, d)


def grad_no_sign(p, t, d=1.0):
    e = _e(p, t)
    return np.where(np.abs(e) < d, e, d) / e.size


def grad_signed_compare(p, t, d=1.0):
    e = _e(p, t)
    return np.where(e < d, e, d) / e.size


def grad_rows(p, t, d=1.0):
    e = _e(p, t)
    return np.clip(e, -d, d) / len(e)


@pytest.mark.parametrize("wrong, keyword", [
    (grad_no_n, "missing the 1/n"), (grad_unclipped, "not clipped"), (grad_sign_delta, "δ·sign(e) everywhere"),
    (grad_sign_tails, "sign(e) in the tails"), (grad_smooth_l1, "smooth_l1_loss"), (grad_two_e, "2e"),
    (grad_delta_e, "δ·e"), (grad_wrt_target, "wrong sign"), (grad_no_sign, "missing the sign"),
    (grad_signed_compare, "compared e, not |e|"), (grad_rows, "number of rows"),
])
def test_huber_grad_mistakes_are_named(wrong, keyword):
    message = fails(check_huber_grad, wrong)
    assert keyword in message, message


def make_fit(*, grad="huber", grad_delta=None, loss="huber", loss_delta=None, sequential=False, after=False,
             slope_x=True, intercept_x=False, no_mean=False, ascent=False):
    """A learner's fit_huber with one deliberate mistake."""
    def per_point(e, d):
        return {"huber": np.clip(e, -d, d), "mse": 2 * e, "unclipped": e}[grad]

    def fit(x, y, delta=1.0, lr=0.1, steps=100):
        gd = delta if grad_delta is None else grad_delta
        ld = delta if loss_delta is None else loss_delta
        n = 1 if no_mean else len(x)
        sign = -1.0 if ascent else 1.0
        slope = intercept = 0.0
        history = []

        def record():
            pred = slope * x + intercept
            history.append(mse(pred, y) if loss == "mse" else huber(pred, y, ld))

        for _ in range(steps):
            if not after:
                record()
            g = per_point(slope * x + intercept - y, gd) / n
            d_slope = np.sum(g * x) if slope_x else np.sum(g)
            slope = slope - sign * lr * d_slope
            if sequential:
                g = per_point(slope * x + intercept - y, gd) / n
            d_intercept = np.sum(g * x) if intercept_x else np.sum(g)
            intercept = intercept - sign * lr * d_intercept
            if after:
                record()
        return slope, intercept, np.array(history)
    return fit


def fit_extra_loss(x, y, delta=1.0, lr=0.1, steps=100):
    s, b, h = fit_huber(x, y, delta, lr, steps)
    return s, b, np.append(h, huber(s * x + b, y, delta))


@pytest.mark.parametrize("wrong, keyword", [
    (make_fit(sequential=True), "simultaneous-update"),
    (make_fit(after=True), "after the update"),
    (make_fit(no_mean=True), "missing the 1/n"),
    (make_fit(grad="mse"), "MSE gradient"),
    (make_fit(grad="unclipped"), "not clipped"),
    (make_fit(grad_delta=1.0, loss_delta=1.0), "delta was not passed on"),
    (make_fit(loss_delta=1.0), "not passed to the loss"),
    (make_fit(loss="mse"), "holds the MSE"),
    (make_fit(slope_x=False), "slope gradient"),
    (make_fit(intercept_x=True), "intercept gradient"),
    (make_fit(ascent=True), "wrong sign"),
    (fit_extra_loss, "expected 30"),
])
def test_fit_huber_mistakes_are_named(wrong, keyword):
    message = fails(check_fit_huber, wrong)
    assert keyword in message, message


@pytest.mark.parametrize("wrong, keyword", [
    (lambda r, k=1.345: k * np.median(np.abs(r - np.median(r))), "divide the MAD by 0.6745"),
    (lambda r, k=1.345: k * 0.6745 * np.median(np.abs(r - np.median(r))), "multiplied the MAD"),
    (lambda r, k=1.345: k * np.std(r), "standard deviation"),
    (lambda r, k=1.345: k * np.std(r, ddof=1), "standard deviation"),
    (lambda r, k=1.345: k * np.median(np.abs(r)) / 0.6745, "subtract the median"),
    (lambda r, k=1.345: k * np.mean(np.abs(r - np.mean(r))) / 0.6745, "means instead of medians"),
    (lambda r, k=1.345: k * np.mean(np.abs(r - np.median(r))) / 0.6745, "the MAD is its median"),
    (lambda r, k=1.345: np.median(np.abs(r - np.median(r))) / 0.6745, "factor k"),
])
def test_choose_delta_mistakes_are_named(wrong, keyword):
    message = fails(check_choose_delta, wrong)
    assert keyword in message, message
