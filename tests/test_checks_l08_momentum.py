"""The checks of lesson 08 accept right answers and reject wrong ones with a useful hint."""
from __future__ import annotations

import numpy as np
import pytest

from lossopt import optim, surfaces
from lossopt.checks import check_convert_convention, check_momentum_step, check_nesterov_step
from lossopt.checks import l08_momentum as l08

from checkutil import fails_quietly as fails, passes   # some wrong answers diverge

# -- right answers, written as a learner would ----------------------------------------------------


def momentum_step(theta, grad, buf, lr, beta):
    if buf is None:
        new_buf = grad.copy()
    else:
        new_buf = beta * buf + grad
    return theta - lr * new_buf, new_buf


def momentum_step_zero_start(theta, grad, buf, lr, beta):
    # Starting from a zero buffer is right when there is no dampening: beta·0 + grad = grad.
    if buf is None:
        buf = np.zeros_like(grad)
    new_buf = beta * buf + grad
    return theta - lr * new_buf, new_buf


def momentum_step_in_place_on_copies(theta, grad, buf, lr, beta):
    new_buf = np.array(grad, dtype=float) if buf is None else buf.copy() * beta + grad
    new_theta = theta.copy()
    new_theta -= lr * new_buf
    return new_theta, new_buf


def nesterov_step(theta, grad, buf, lr, beta):
    if buf is None:
        new_buf = grad.copy()
    else:
        new_buf = beta * buf + grad
    return theta - lr * (grad + beta * new_buf), new_buf


def convert_convention(lr, beta):
    return {"lr": lr * (1 - beta), "momentum": beta}


def convert_convention_explicit(lr, beta):
    return dict(lr=lr * (1 - beta), momentum=beta, dampening=0.0, nesterov=False, weight_decay=0.0)


# -- passing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, answer", [
    (check_momentum_step, momentum_step),
    (check_momentum_step, momentum_step_zero_start),
    (check_momentum_step, momentum_step_in_place_on_copies),
    (check_nesterov_step, nesterov_step),
    (check_convert_convention, convert_convention),
    (check_convert_convention, convert_convention_explicit),
])
def test_right_answer_passes_with_one_line(check, answer, capsys):
    passes(check, answer, capsys)


# -- broken answers: NaN, strings inside the result, shapes ----------------------------------------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

@pytest.mark.parametrize("check, nan", [
    (check_momentum_step, lambda th, g, b, lr, beta: (np.full_like(th, np.nan), np.full_like(g, np.nan))),
    (check_nesterov_step, lambda th, g, b, lr, beta: (nesterov_step(th, g, b, lr, beta)[0], np.full_like(g, np.nan))),
    (check_convert_convention, lambda lr, beta: {"lr": float("nan"), "momentum": beta}),
])
def test_nan_fails(check, nan):
    message = fails(check, nan)
    assert "NaN" in message or "nan" in message


def test_strings_inside_the_result_fail():
    assert "string" in fails(check_nesterov_step, lambda th, g, b, lr, beta: ("theta", "buf"))


def test_wrong_shapes():
    assert "has shape" in fails(check_momentum_step,
                                lambda th, g, b, lr, beta: tuple(np.atleast_2d(v) for v in momentum_step(th, g, b, lr, beta)))
    assert "2 values" in fails(check_momentum_step, lambda th, g, b, lr, beta: momentum_step(th, g, b, lr, beta)[:1])
    assert "2 values" in fails(check_nesterov_step,
                               lambda th, g, b, lr, beta: nesterov_step(th, g, b, lr, beta) + (lr,))


def test_convert_wrong_containers():
    assert "expected a dict" in fails(check_convert_convention, lambda lr, beta: (lr * (1 - beta), beta))
    assert "no argument named 'beta'" in fails(check_convert_convention,
                                               lambda lr, beta: {"lr": lr * (1 - beta), "beta": beta})
    assert "raised ValueError" in fails(check_convert_convention,
                                        lambda lr, beta: {"lr": lr * (1 - beta), "momentum": -beta - 0.1})


# -- classic mistakes are named ------------------------------------------------------------------------

def mom_dampened(theta, grad, buf, lr, beta):
    new_buf = grad.copy() if buf is None else beta * buf + (1 - beta) * grad
    return theta - lr * new_buf, new_buf


def mom_dl_ai_zero_start(theta, grad, buf, lr, beta):
    buf = np.zeros_like(grad) if buf is None else buf
    new_buf = beta * buf + (1 - beta) * grad
    return theta - lr * new_buf, new_buf


def mom_old_buffer(theta, grad, buf, lr, beta):
    new_buf = grad.copy() if buf is None else beta * buf + grad
    return theta - lr * (grad if buf is None else buf), new_buf


def mom_sign(theta, grad, buf, lr, beta):
    new_theta, new_buf = momentum_step(theta, grad, buf, lr, beta)
    return 2 * theta - new_theta, new_buf


def mom_in_place(theta, grad, buf, lr, beta):
    if buf is None:
        buf = grad.copy()
    else:
        buf *= beta
        buf += grad
    return theta - lr * buf, buf


def mom_theta_in_place(theta, grad, buf, lr, beta):
    new_buf = grad.copy() if buf is None else beta * buf + grad
    theta -= lr * new_buf
    return theta, new_buf


def mom_velocity(theta, grad, buf, lr, beta):        # cs231n / Sutskever form: v = beta v - lr g
    v = -lr * grad if buf is None else beta * buf - lr * grad
    return theta + v, v


def mom_lr_in_buffer(theta, grad, buf, lr, beta):
    b = lr * grad if buf is None else beta * buf + lr * grad
    return theta - b, b


def mom_gradient_only(theta, grad, buf, lr, beta):
    new_buf = grad.copy() if buf is None else beta * buf + grad
    return theta - lr * grad, new_buf


def mom_nesterov_instead(theta, grad, buf, lr, beta):
    return nesterov_step(theta, grad, buf, lr, beta)


def mom_swapped(theta, grad, buf, lr, beta):
    return momentum_step(theta, grad, buf, lr, beta)[::-1]


def mom_first_step_frozen(theta, grad, buf, lr, beta):
    if buf is None:
        return theta.copy(), grad.copy()
    return momentum_step(theta, grad, buf, lr, beta)


def mom_buffer_is_grad(theta, grad, buf, lr, beta):
    new_buf = grad if buf is None else beta * buf + grad
    return theta - lr * new_buf, new_buf


def mom_beta_swapped(theta, grad, buf, lr, beta):
    new_buf = grad.copy() if buf is None else (1 - beta) * buf + grad
    return theta - lr * new_buf, new_buf


_GLOBAL = {}


def mom_hidden_state(theta, grad, buf, lr, beta):
    # ignores buf and keeps its own buffer between calls
    b = _GLOBAL.get("b")
    b = grad.copy() if b is None else beta * b + grad
    _GLOBAL["b"] = b
    return theta - lr * b, b


@pytest.mark.parametrize("wrong, keyword", [
    (mom_dampened, "dampening"),
    (mom_dl_ai_zero_start, "(1 − beta) factor"),
    (mom_old_buffer, "old buffer"),
    (mom_sign, "wrong sign"),
    (mom_in_place, "in place"),
    (mom_theta_in_place, "in place"),
    (mom_velocity, "velocity"),
    (mom_lr_in_buffer, "lr folded into the buffer"),
    (mom_gradient_only, "the gradient alone"),
    (mom_nesterov_instead, "Nesterov step"),
    (mom_swapped, "swapped"),
    (mom_first_step_frozen, "theta already moves"),
    (mom_buffer_is_grad, "not a copy"),
    (mom_beta_swapped, "mixed up"),
])
def test_momentum_step_mistakes(wrong, keyword):
    assert keyword in fails(check_momentum_step, wrong)


def test_hidden_state_is_caught():
    _GLOBAL.clear()
    message = fails(check_momentum_step, mom_hidden_state)
    assert "new_theta is wrong" in message or "new_buf is wrong" in message


def nag_heavy_ball(theta, grad, buf, lr, beta):
    return momentum_step(theta, grad, buf, lr, beta)


def nag_old_buffer(theta, grad, buf, lr, beta):
    new_buf = grad.copy() if buf is None else beta * buf + grad
    old = np.zeros_like(grad) if buf is None else buf
    return theta - lr * (grad + beta * old), new_buf


def nag_returns_direction(theta, grad, buf, lr, beta):
    new_theta, new_buf = nesterov_step(theta, grad, buf, lr, beta)
    return new_theta, grad + beta * new_buf


def nag_one_plus_beta(theta, grad, buf, lr, beta):
    new_buf = grad.copy() if buf is None else beta * buf + grad
    return theta - lr * (1 + beta) * grad, new_buf


def nag_dampened(theta, grad, buf, lr, beta):
    new_buf = grad.copy() if buf is None else beta * buf + (1 - beta) * grad
    return theta - lr * (grad + beta * new_buf), new_buf


def nag_sign(theta, grad, buf, lr, beta):
    new_theta, new_buf = nesterov_step(theta, grad, buf, lr, beta)
    return 2 * theta - new_theta, new_buf


def nag_in_place(theta, grad, buf, lr, beta):
    if buf is None:
        buf = grad.copy()
    else:
        buf *= beta
        buf += grad
    return theta - lr * (grad + beta * buf), buf


@pytest.mark.parametrize("wrong, keyword", [
    (nag_heavy_ball, "heavy-ball step"),
    (nag_old_buffer, "old buffer"),
    (nag_returns_direction, "step direction"),
    (nag_one_plus_beta, "(1 + beta)"),
    (nag_dampened, "dampening"),
    (nag_sign, "wrong sign"),
    (nag_in_place, "in place"),
])
def test_nesterov_step_mistakes(wrong, keyword):
    assert keyword in fails(check_nesterov_step, wrong)


@pytest.mark.parametrize("wrong, keyword", [
    (lambda lr, beta: {"lr": lr, "momentum": beta, "dampening": beta}, "dampening = beta"),
    (lambda lr, beta: {"lr": lr, "momentum": beta}, "lr unchanged"),
    (lambda lr, beta: {"lr": lr / (1 - beta), "momentum": beta}, "wrong way round"),
    (lambda lr, beta: {"lr": lr * (1 - beta), "momentum": beta, "dampening": beta}, "twice"),
    (lambda lr, beta: {"lr": lr * (1 - beta), "momentum": 1 - beta}, "not 1 − beta"),
    (lambda lr, beta: {"lr": lr * beta, "momentum": beta}, "lr·beta"),
])
def test_convert_convention_mistakes(wrong, keyword):
    assert keyword in fails(check_convert_convention, wrong)


def test_convert_nesterov_is_rejected():
    message = fails(check_convert_convention, lambda lr, beta: {"lr": lr * (1 - beta), "momentum": beta,
                                                                 "nesterov": beta > 0})
    assert "is wrong" in message


# -- the references are lossopt.optim.SGD ----------------------------------------------------------------

def test_reference_step_is_lossopt_sgd():
    theta, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    new_theta, buf = l08._reference_step(theta, g, None, 0.1, 0.9, nesterov=False)
    np.testing.assert_array_equal(buf, g)
    np.testing.assert_allclose(new_theta, theta - 0.1 * g)
    new_theta2, buf2 = l08._reference_step(new_theta, g, buf, 0.1, 0.9, nesterov=True)
    np.testing.assert_allclose(buf2, 1.9 * g)
    np.testing.assert_allclose(new_theta2, new_theta - 0.1 * (g + 0.9 * 1.9 * g))


def test_ema_convention_equals_scaled_sgd():
    # v = beta v + (1 - beta) g from v = 0 is (1 - beta) times torch's buffer, exactly.
    for desc, theta0, grad_fn, steps in l08._runs():
        for lr, beta in l08._CONVERT_CASES:
            ema = l08._ema_momentum_path(theta0, grad_fn, lr, beta, steps)
            sgd = l08._sgd_path(dict(lr=lr * (1 - beta), momentum=beta), theta0, grad_fn, steps)
            np.testing.assert_allclose(sgd, ema, rtol=1e-10, atol=1e-12, err_msg=desc)


def test_whole_run_matches_surfaces_run():
    path = surfaces.run(optim.SGD(lr=0.1, momentum=0.9), surfaces.bumpy(), start=(5.0,), steps=100, tol=0.0)
    theta, buf = np.array([5.0]), None
    for _ in range(100):
        theta, buf = momentum_step(theta, surfaces.bumpy().grad(theta), buf, 0.1, 0.9)
    np.testing.assert_allclose(theta, path.points[-1], rtol=1e-12)
