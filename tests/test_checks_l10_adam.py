"""The checks of lesson 10 accept right answers and reject wrong ones with a useful hint.

Every wrong answer below is a small function written the way a learner would get it
wrong; none of them comes from the check module itself.
"""
from __future__ import annotations

import numpy as np
import pytest

from lossopt.checks import check_adam_step, check_adamw_step

from checkutil import fails, passes

# -- right answers, written as a learner would ----------------------------------------------------


def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = t + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def adam_step_torch_style(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """PyTorch's own arrangement: lerp for m, the step size folded into lr, sqrt of the correction."""
    t += 1
    m = m + (1 - beta1) * (grad - m)
    v = v * beta2 + (1 - beta2) * grad * grad
    step_size = lr / (1 - beta1 ** t)
    denom = np.sqrt(v) / np.sqrt(1 - beta2 ** t) + eps
    return theta - step_size * m / denom, m, v, t


def adam_step_copies(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """In-place arithmetic on copies is fine; returning lists and a numpy integer too."""
    m, v = m.copy(), v.copy()
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * np.square(grad)
    t = np.int64(t) + 1
    new = theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return new, m, v, t


def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    theta = theta * (1 - lr * weight_decay)
    return adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)


def adamw_step_subtract(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    """theta - lr * (update + weight_decay * theta): the same numbers, written as one step."""
    t = t + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    update = (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return theta - lr * (update + weight_decay * theta), m, v, t


# -- passing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, answer", [
    (check_adam_step, adam_step), (check_adam_step, adam_step_torch_style), (check_adam_step, adam_step_copies),
    (check_adamw_step, adamw_step), (check_adamw_step, adamw_step_subtract),
])
def test_right_answer_passes_with_one_line(check, answer, capsys):
    assert "m, v and t" in passes(check, answer, capsys)


def test_every_piece_of_state_is_compared():
    """Right parameters with wrong state still fail: m, v and t each."""
    def wrong_m(*args):
        theta, m, v, t = adam_step(*args)
        return theta, m * 1.01, v, t
    assert "new_m is wrong" in fails(check_adam_step, wrong_m)

    def wrong_v(*args):
        theta, m, v, t = adam_step(*args)
        return theta, m, v + 1e-3, t
    assert "new_v is wrong" in fails(check_adam_step, wrong_v)

    def wrong_t(*args):
        theta, m, v, t = adam_step(*args)
        return theta, m, v, t + 1
    assert "new_t is wrong" in fails(check_adam_step, wrong_t)


def test_a_small_error_in_a_small_step_is_caught():
    """A step wrong by 0.1 % is caught even when theta is large (the step is compared, not theta)."""
    def slightly_off(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        new, m, v, t = adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
        return theta + 1.001 * (new - theta), m, v, t
    assert "step new_theta - theta is wrong" in fails(check_adam_step, slightly_off)


# -- failing cleanly: the wrong container, NaN, strings or None inside the result, shapes ----------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

ALL = [check_adam_step, check_adamw_step]


def _good(check):
    return adam_step if check is check_adam_step else adamw_step


@pytest.mark.parametrize("check", ALL)
@pytest.mark.parametrize("make_bad, keyword", [
    (lambda good: lambda *a: "theta", "expected a tuple"),
    (lambda good: lambda *a: good(*a)[:3], "tuple of 4"),
    (lambda good: lambda *a: good(*a)[0], "expected a tuple"),
    (lambda good: lambda *a: (np.full(np.shape(a[0]), np.nan),) + good(*a)[1:], "NaN"),
    (lambda good: lambda *a: ("theta",) + good(*a)[1:], "string"),
    (lambda good: lambda *a: (np.atleast_1d(good(*a)[0])[None],) + good(*a)[1:], "shape"),
    (lambda good: lambda *a: (good(*a)[0], None) + good(*a)[2:], "new_m is None"),
    (lambda good: lambda *a: good(*a)[:3] + (None,), "new_t is None"),
])
def test_bad_return_values_fail_cleanly(check, make_bad, keyword):
    assert keyword in fails(check, make_bad(_good(check)))


def test_changing_the_inputs_in_place_is_reported():
    def in_place(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        t += 1
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad ** 2
        return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v, t
    assert "changed one of its inputs in place" in fails(check_adam_step, in_place)


# -- classic mistakes: adam_step --------------------------------------------------------------------

def t_incremented_after_use(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    with np.errstate(invalid="ignore", divide="ignore"):     # t = 0: 1 - beta**0 = 0
        new = theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    return new, m, v, t + 1


def no_bias_correction(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * m / (np.sqrt(v) + eps), m, v, t + 1


def eps_inside_sqrt(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t += 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * (m / (1 - beta1 ** t)) / np.sqrt(v / (1 - beta2 ** t) + eps), m, v, t


def keras_eps_hat(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t += 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    lr_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return theta - lr_t * m / (np.sqrt(v) + eps), m, v, t


def gradient_not_squared(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t += 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad
    with np.errstate(invalid="ignore"):
        return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v, t


def betas_swapped(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t += 1
    m = (1 - beta1) * m + beta1 * grad
    v = (1 - beta2) * v + beta2 * grad ** 2
    return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v, t


def t_returned_unchanged(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    step = t + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps), m, v, t


def theta_with_raw_m(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t += 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * m / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v, t


def theta_before_moments(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        new = theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return new, m, v, t


def plus_sign(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    new, m, v, t = adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
    return 2 * theta - new, m, v, t


def wrong_default_lr(theta, grad, m, v, t, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
    return adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)


@pytest.mark.parametrize("answer, keyword", [
    (t_incremented_after_use, "before it was incremented"),
    (no_bias_correction, "no bias correction"),
    (eps_inside_sqrt, "eps inside the square root"),
    (keras_eps_hat, "epsilon hat"),
    (gradient_not_squared, "not squared"),
    (betas_swapped, "beta and 1 - beta swapped"),
    (t_returned_unchanged, "t returned unchanged"),
    (theta_with_raw_m, "raw m"),
    (theta_before_moments, "old m and v"),
    (plus_sign, "wrong sign"),
    (wrong_default_lr, "defaults"),
])
def test_classic_adam_mistakes_are_named(answer, keyword):
    assert keyword in fails(check_adam_step, answer)


def test_t_after_use_from_zero_says_divide_by_zero():
    """Starting at t = 0 (the first step), the mis-ordered t divides by zero; the hint says so."""
    def only_first_steps(theta, grad, m, v, t, *args):
        if t != 0:      # behave on the warm case, so the first-step case is reached
            return adam_step(theta, grad, m, v, t, *args)
        return t_incremented_after_use(theta, grad, m, v, t, *args)
    assert "divide" in fails(check_adam_step, only_first_steps)


# -- classic mistakes: adamw_step -------------------------------------------------------------------

def decay_after_the_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    new, m, v, t = adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)
    return new * (1 - lr * weight_decay), m, v, t


def decay_as_l2(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return adam_step(theta, grad + weight_decay * theta, m, v, t, lr, beta1, beta2, eps)


def decay_by_lambda(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return adam_step(theta * (1 - weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


def no_decay(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)


def default_decay_zero(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    return adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay)


def adamw_with_eps_hat(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    return keras_eps_hat(theta * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


@pytest.mark.parametrize("answer, keyword", [
    (decay_after_the_step, "after the Adam step"),
    (decay_as_l2, "L2"),
    (decay_by_lambda, "not 1 - weight_decay"),
    (no_decay, "no weight decay"),
    (default_decay_zero, "default weight_decay"),
    (adamw_with_eps_hat, "epsilon hat"),
])
def test_classic_adamw_mistakes_are_named(answer, keyword):
    assert keyword in fails(check_adamw_step, answer)


def test_adam_step_is_not_an_adamw_step():
    """Adam's update without any decay fails the AdamW check, and AdamW's fails the Adam check."""
    assert "weight decay" in fails(check_adamw_step, lambda *a: adam_step(*a[:9]))

    def adamw_as_adam(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        return adamw_step(theta, grad, m, v, t, lr, beta1, beta2, eps, 1e-2)
    assert "is wrong" in fails(check_adam_step, adamw_as_adam)
