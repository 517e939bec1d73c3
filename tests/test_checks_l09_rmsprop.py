"""The checks of lesson 09 accept right answers and reject wrong ones with a useful hint."""
from __future__ import annotations

import numpy as np
import pytest

from lossopt.checks import check_adagrad_step, check_effective_lr, check_rmsprop_step

from checkutil import fails, passes

# -- right answers, written as a learner would ----------------------------------------------------


def rmsprop_step(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


def rmsprop_step_incremental(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    """v + (1 - alpha)(g² - v): the same average, written as an update towards g²."""
    new_v = v + (1 - alpha) * (grad * grad - v)
    new_theta = theta.copy()
    new_theta -= lr * grad / (new_v ** 0.5 + eps)
    return new_theta, new_v


def adagrad_step(theta, grad, s, lr=1e-2, eps=1e-10):
    s = s + grad ** 2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def adagrad_step_list(theta, grad, s, lr=1e-2, eps=1e-10):
    new_s = s + grad * grad
    return [theta - lr * grad / (np.sqrt(new_s) + eps), new_s]


def effective_lr(grads, lr, eps=1e-10):
    return lr / (np.sqrt(np.cumsum(grads ** 2, axis=0)) + eps)


def effective_lr_loop(grads, lr, eps=1e-10):
    s = np.zeros(grads.shape[1:])
    rows = []
    for g in grads:
        s = s + g * g
        rows.append(lr / (np.sqrt(s) + eps))
    return np.array(rows)


# -- passing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, answer", [
    (check_rmsprop_step, rmsprop_step), (check_rmsprop_step, rmsprop_step_incremental),
    (check_adagrad_step, adagrad_step), (check_adagrad_step, adagrad_step_list),
    (check_effective_lr, effective_lr), (check_effective_lr, effective_lr_loop),
])
def test_right_answer_passes_with_one_line(check, answer, capsys):
    passes(check, answer, capsys)


def test_the_checks_agree_with_torch_semantics_by_hand():
    """The first RMSprop step from v = 0 is lr / sqrt(1 - alpha) in size, whatever the gradient's scale."""
    for g in [1.0, -3.0, 1e5]:
        theta, v = rmsprop_step(np.zeros(1), np.array([g]), np.zeros(1), lr=0.01, alpha=0.99, eps=0.0)
        assert np.isclose(-theta[0], 0.1 * np.sign(g))
        assert np.isclose(v[0], 0.01 * g * g)


# -- failing cleanly: the wrong container, NaN, strings inside the result, shapes ------------------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

@pytest.mark.parametrize("check, answer, keyword", [
    (check_rmsprop_step, lambda t, g, v, lr=1e-2, a=0.99, e=1e-8: "theta", "tuple"),
    (check_rmsprop_step, lambda t, g, v, lr=1e-2, a=0.99, e=1e-8: rmsprop_step(t, g, v, lr, a, e)[0], "tuple"),
    (check_rmsprop_step, lambda t, g, v, lr=1e-2, a=0.99, e=1e-8: (t, v, g), "tuple of 2"),
    (check_rmsprop_step, lambda t, g, v, lr=1e-2, a=0.99, e=1e-8: (np.full_like(t, np.nan), a * v + (1 - a) * g * g),
     "NaN"),
    (check_rmsprop_step, lambda t, g, v, lr=1e-2, a=0.99, e=1e-8: ("0.5", v), "string"),
    (check_rmsprop_step, lambda t, g, v, lr=1e-2, a=0.99, e=1e-8:
     tuple(np.ravel(x)[:1] for x in rmsprop_step(t, g, v, lr, a, e)), "shape"),
    (check_rmsprop_step, lambda t, g, v, lr=1e-2, a=0.99, e=1e-8:
     (rmsprop_step(t, g, v, lr, a, e)[0], np.mean(rmsprop_step(t, g, v, lr, a, e)[1])), "own value"),
    (check_adagrad_step, lambda t, g, s, lr=1e-2, e=1e-10: (t, s, g), "tuple of 2"),
    (check_adagrad_step, lambda t, g, s, lr=1e-2, e=1e-10: (np.full_like(t, np.nan), s + g * g), "NaN"),
    (check_adagrad_step, lambda t, g, s, lr=1e-2, e=1e-10: (t, "s"), "string"),
    (check_adagrad_step, lambda t, g, s, lr=1e-2, e=1e-10: (adagrad_step(t, g, s, lr, e)[0].reshape(-1, 1),
                                                            s + g * g), "shape"),
    (check_effective_lr, lambda g, lr, e=1e-10: np.full(g.shape, np.nan), "NaN"),
    (check_effective_lr, lambda g, lr, e=1e-10: effective_lr(g, lr, e)[-1], "shape"),
])
def test_bad_return_values_fail_cleanly(check, answer, keyword):
    assert keyword in fails(check, answer)


# -- classic mistakes: exercise 1, rmsprop_step ------------------------------------------------------

def rms_eps_inside(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * grad ** 2
    return theta - lr * grad / np.sqrt(v + eps), v


def rms_abs(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * np.abs(grad)
    return theta - lr * grad / (np.sqrt(v) + eps), v


def rms_not_squared(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * grad
    with np.errstate(invalid="ignore"):
        return theta - lr * grad / (np.sqrt(v) + eps), v


def rms_alpha_swapped(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = (1 - alpha) * v + alpha * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


def rms_old_v(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    new_theta = theta - lr * grad / (np.sqrt(v) + eps)
    return new_theta, alpha * v + (1 - alpha) * grad ** 2


def rms_sign(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * grad ** 2
    return theta + lr * grad / (np.sqrt(v) + eps), v


def rms_in_place(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v *= alpha
    v += (1 - alpha) * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


def rms_theta_in_place(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * grad ** 2
    theta -= lr * grad / (np.sqrt(v) + eps)
    return theta, v


def rms_no_sqrt(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * grad ** 2
    return theta - lr * grad / (v + eps), v


def rms_no_decay(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = v + (1 - alpha) * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


def rms_forgets(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = (1 - alpha) * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


def rms_no_eps(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * grad ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return theta - lr * grad / np.sqrt(v), v


def rms_swapped_return(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * grad ** 2
    return v, theta - lr * grad / (np.sqrt(v) + eps)


def rms_no_lr(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    v = alpha * v + (1 - alpha) * grad ** 2
    return theta - grad / (np.sqrt(v) + eps), v


def rms_v_starts_at_g2(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    """Initialises the average with g² on the first step (v is all zeros), as some texts do."""
    v = grad ** 2 if not np.any(v) else alpha * v + (1 - alpha) * grad ** 2
    return theta - lr * grad / (np.sqrt(v) + eps), v


def rms_shared_v(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8):
    """One running average for all coordinates (the mean of g²)."""
    v = alpha * v + (1 - alpha) * np.mean(grad ** 2) * np.ones_like(v)
    return theta - lr * grad / (np.sqrt(v) + eps), v


def rms_wrong_defaults(theta, grad, v, lr=1e-3, alpha=0.9, eps=1e-7):
    return rmsprop_step(theta, grad, v, lr, alpha, eps)


@pytest.mark.parametrize("answer, keywords", [
    (rms_eps_inside, ["eps inside the square root"]),
    (rms_abs, ["|g| instead of g²"]),
    (rms_not_squared, ["g instead of g²"]),
    (rms_alpha_swapped, ["(1 - alpha) on the wrong term"]),
    (rms_old_v, ["old v"]),
    (rms_sign, ["wrong sign"]),
    (rms_in_place, ["in place", "v *= alpha"]),
    (rms_theta_in_place, ["in place"]),
    (rms_no_sqrt, ["no square root"]),
    (rms_no_decay, ["multiplied by alpha"]),
    (rms_forgets, ["forgets the old one"]),
    (rms_no_eps, ["eps is missing"]),
    (rms_swapped_return, ["return new_theta first"]),
    (rms_no_lr, ["learning rate"]),
    (rms_v_starts_at_g2, ["new_v", "wrong"]),
    (rms_shared_v, ["new_v", "wrong"]),
    (rms_wrong_defaults, ["defaults", "lr=1e-2, alpha=0.99, eps=1e-8"]),
])
def test_rmsprop_mistakes_are_named(answer, keywords):
    message = fails(check_rmsprop_step, answer)
    for keyword in keywords:
        assert keyword in message, message


# -- classic mistakes: exercise 2, adagrad_step ------------------------------------------------------

def ada_abs(theta, grad, s, lr=1e-2, eps=1e-10):
    s = s + np.abs(grad)
    return theta - lr * grad / (np.sqrt(s) + eps), s


def ada_reset(theta, grad, s, lr=1e-2, eps=1e-10):
    s = grad ** 2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def ada_eps_inside(theta, grad, s, lr=1e-2, eps=1e-10):
    s = s + grad ** 2
    return theta - lr * grad / np.sqrt(s + eps), s


def ada_old_s(theta, grad, s, lr=1e-2, eps=1e-10):
    return theta - lr * grad / (np.sqrt(s) + eps), s + grad ** 2


def ada_sign(theta, grad, s, lr=1e-2, eps=1e-10):
    s = s + grad ** 2
    return theta + lr * grad / (np.sqrt(s) + eps), s


def ada_in_place(theta, grad, s, lr=1e-2, eps=1e-10):
    s += grad ** 2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def ada_running_average(theta, grad, s, lr=1e-2, eps=1e-10):
    s = 0.99 * s + 0.01 * grad ** 2
    return theta - lr * grad / (np.sqrt(s) + eps), s


def ada_no_sqrt(theta, grad, s, lr=1e-2, eps=1e-10):
    s = s + grad ** 2
    return theta - lr * grad / (s + eps), s


def ada_wrong_default_eps(theta, grad, s, lr=1e-2, eps=1e-8):
    return adagrad_step(theta, grad, s, lr, eps)


@pytest.mark.parametrize("answer, keywords", [
    (ada_abs, ["|g| instead of g²"]),
    (ada_reset, ["reset"]),
    (ada_eps_inside, ["eps inside the square root"]),
    (ada_old_s, ["old s"]),
    (ada_sign, ["wrong sign"]),
    (ada_in_place, ["in place"]),
    (ada_running_average, ["RMSprop, not AdaGrad"]),
    (ada_no_sqrt, ["no square root"]),
    (ada_wrong_default_eps, ["defaults", "eps=1e-10"]),
])
def test_adagrad_mistakes_are_named(answer, keywords):
    message = fails(check_adagrad_step, answer)
    for keyword in keywords:
        assert keyword in message, message


# -- classic mistakes: exercise 3, effective_lr ------------------------------------------------------

@pytest.mark.parametrize("answer, keyword", [
    (lambda g, lr, eps=1e-10: lr / (np.sqrt(np.cumsum(g ** 2, axis=0) - g ** 2) + eps), "include the current step"),
    (lambda g, lr, eps=1e-10: lr / (np.sqrt(np.cumsum(np.abs(g), axis=0)) + eps), "|g| instead of g²"),
    (lambda g, lr, eps=1e-10: lr / np.sqrt(np.cumsum(g ** 2, axis=0) + eps), "eps inside the square root"),
    (lambda g, lr, eps=1e-10: lr / (np.cumsum(g ** 2, axis=0) + eps), "no square root"),
    (lambda g, lr, eps=1e-10: np.broadcast_to(lr / (np.sqrt(np.sum(g ** 2, axis=0)) + eps), g.shape).copy(),
     "running (cumulative) sum"),
    (lambda g, lr, eps=1e-10: lr / (np.sqrt(np.cumsum(g ** 2, axis=0) / np.arange(1, len(g) + 1)[:, None]) + eps),
     "running MEAN"),
    (lambda g, lr, eps=1e-10: np.repeat(lr / (np.sqrt(np.cumsum((g ** 2).sum(axis=1)))[:, None] + eps),
                                        g.shape[1], axis=1), "own sum"),
])
def test_effective_lr_mistakes_are_named(answer, keyword):
    message = fails(check_effective_lr, answer)
    assert keyword in message, message
