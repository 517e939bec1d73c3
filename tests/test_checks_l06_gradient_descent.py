"""The checks of lesson 06 accept right answers and reject wrong ones with a useful hint."""
from __future__ import annotations

import math

import numpy as np
import pytest

from lossopt import optim
from lossopt.checks import check_gradient_descent, check_max_stable_lr, check_steps_to_converge
from lossopt.checks import l06_gradient_descent as l06

from checkutil import fails_quietly as fails, passes   # some wrong answers diverge

# -- right answers, written as a learner would ----------------------------------------------------


def gradient_descent(grad_f, theta0, lr, steps):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(steps):
        theta = theta - lr * grad_f(theta)
        path.append(theta)
    return theta, np.array(path)


def gradient_descent_preallocated(grad_f, theta0, lr, steps):
    path = np.zeros((steps + 1, len(theta0)))
    path[0] = theta0
    for k in range(steps):
        path[k + 1] = path[k] - lr * grad_f(path[k])
    return path[-1].copy(), path


def gradient_descent_lists(grad_f, theta0, lr, steps):
    theta = theta0.copy()
    path = [list(theta)]
    for _ in range(steps):
        theta -= lr * grad_f(theta)         # in place is fine on a copy, if each row is copied
        path.append(list(theta))
    return list(theta), path


def max_stable_lr(A):
    A = np.asarray(A, dtype=float)
    H = (A + A.T) / 2
    return 2 / np.linalg.eigvalsh(H)[-1]


def max_stable_lr_eigvals(A):
    A = np.asarray(A, dtype=float)
    return 2 / np.max(np.linalg.eigvals((A + A.T) / 2).real)


def steps_to_converge(kappa, tol):
    rho = (kappa - 1) / (kappa + 1)
    if rho == 0:
        return 1
    return math.ceil(math.log(tol) / math.log(rho))


def steps_to_converge_by_loop(kappa, tol):
    rho = (kappa - 1) / (kappa + 1)
    k, error = 0, 1.0
    while error > tol:
        error *= rho
        k += 1
    return k


# -- passing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, answer", [
    (check_gradient_descent, gradient_descent),
    (check_gradient_descent, gradient_descent_preallocated),
    (check_gradient_descent, gradient_descent_lists),
    (check_max_stable_lr, max_stable_lr),
    (check_max_stable_lr, max_stable_lr_eigvals),
    (check_steps_to_converge, steps_to_converge),
])
def test_right_answer_passes_with_one_line(check, answer, capsys):
    passes(check, answer, capsys)


def test_steps_by_multiplying_out_also_passes(capsys, monkeypatch):
    # Multiplying rho k times reaches 1e-12 for kappa = 1e6 only after ~1.4e7 steps: skip that case.
    monkeypatch.setattr(l06, "_STEP_CASES", [c for c in l06._STEP_CASES if c[0] < 1e5])
    passes(check_steps_to_converge, steps_to_converge_by_loop, capsys)


# -- broken answers: NaN, shapes -------------------------------------------------------------------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

@pytest.mark.parametrize("check, nan", [
    (check_gradient_descent, lambda g, t, lr, s: (np.full(len(t), np.nan), np.full((s + 1, len(t)), np.nan))),
    (check_max_stable_lr, lambda A: float("nan")),
    (check_steps_to_converge, lambda k, t: float("nan")),
])
def test_nan_fails(check, nan):
    assert "NaN" in fails(check, nan)


def test_wrong_shapes():
    assert "one number" in fails(check_max_stable_lr, lambda A: np.full(len(A), max_stable_lr(A)))
    assert "one number" in fails(check_steps_to_converge, lambda k, t: [steps_to_converge(k, t)])
    assert "2 values" in fails(check_gradient_descent, lambda g, t, lr, s: gradient_descent(g, t, lr, s)[:1])
    assert "transposed" in fails(check_gradient_descent,
                                 lambda g, t, lr, s: (gradient_descent(g, t, lr, s)[0], gradient_descent(g, t, lr, s)[1].T))
    assert "theta (the final point) has shape" in fails(
        check_gradient_descent, lambda g, t, lr, s: (gradient_descent(g, t, lr, s)[1], gradient_descent(g, t, lr, s)[1]))


def test_one_dimensional_path_flattened():
    def flat(g, t, lr, s):
        theta, path = gradient_descent(g, t, lr, s)
        return theta, path.ravel() if path.shape[1] == 1 else path
    message = fails(check_gradient_descent, flat)
    assert "even when d = 1" in message


# -- classic mistakes are named ------------------------------------------------------------------------

def gd_aliasing_theta0(grad_f, theta0, lr, steps):
    theta = theta0                          # not a copy
    path = [theta]
    for _ in range(steps):
        theta -= lr * grad_f(theta)
        path.append(theta)
    return theta, np.array(path)


def gd_aliasing_rows(grad_f, theta0, lr, steps):
    theta = theta0.copy()
    path = [theta]
    for _ in range(steps):
        theta -= lr * grad_f(theta)         # the same array appended again and again
        path.append(theta)
    return theta, np.array(path)


def gd_plus(grad_f, theta0, lr, steps):
    return gradient_descent(lambda t: -grad_f(t), theta0, lr, steps)


def gd_no_start(grad_f, theta0, lr, steps):
    theta, path = gradient_descent(grad_f, theta0, lr, steps)
    return theta, path[1:]


def gd_no_end(grad_f, theta0, lr, steps):
    theta, path = gradient_descent(grad_f, theta0, lr, steps)
    return theta, path[:-1]


def gd_start_twice(grad_f, theta0, lr, steps):
    theta, path = gradient_descent(grad_f, theta0, lr, steps)
    return theta, np.vstack([path[:1], path])


def gd_one_step_too_many(grad_f, theta0, lr, steps):
    return gradient_descent(grad_f, theta0, lr, steps + 1)


def gd_frozen_gradient(grad_f, theta0, lr, steps):
    g = grad_f(theta0)
    return gradient_descent(lambda t: g, theta0, lr, steps)


def gd_mutates_theta0_at_the_end(grad_f, theta0, lr, steps):
    theta, path = gradient_descent(grad_f, theta0, lr, steps)
    theta0[...] = theta
    return theta, path


@pytest.mark.parametrize("wrong, keyword", [
    (gd_aliasing_theta0, "aliasing"),
    (gd_mutates_theta0_at_the_end, "changed theta0 in place"),
    (gd_aliasing_rows, "every row of path is the same array"),
    (gd_plus, "wrong sign"),
    (gd_no_start, "missing the start"),
    (gd_no_end, "missing the point after the last step"),
    (gd_start_twice, "one point too many"),
    (gd_one_step_too_many, "one point too many"),
    (gd_frozen_gradient, "computed once at theta0"),
])
def test_gradient_descent_mistakes(wrong, keyword):
    assert keyword in fails(check_gradient_descent, wrong)


def test_gradient_descent_wrong_lr_is_caught():
    message = fails(check_gradient_descent, lambda g, t, lr, s: gradient_descent(g, t, 0.9 * lr, s))
    assert "is wrong" in message and "input:" in message


def sym(A):
    A = np.asarray(A, dtype=float)
    return (A + A.T) / 2


@pytest.mark.parametrize("wrong, keyword", [
    (lambda A: 1 / np.linalg.eigvalsh(sym(A))[-1], "1/λ_max"),
    (lambda A: 2 / np.linalg.eigvalsh(sym(A))[0], "2/λ_min"),
    (lambda A: 2 / np.trace(A), "trace"),
    (lambda A: 2 / np.max(np.diag(A)), "largest diagonal entry"),
    (lambda A: 2 / (np.linalg.eigvalsh(sym(A))[0] + np.linalg.eigvalsh(sym(A))[-1]), "best fixed learning rate"),
    (lambda A: np.linalg.eigvalsh(sym(A))[-1] / 2, "upside down"),
    (lambda A: 2 / np.linalg.norm(A), "Frobenius"),
    (lambda A: 2 / np.linalg.eigvalsh(A)[-1], "lower triangle"),
    (lambda A: 2 / np.max(np.linalg.eigvals(A).real), "non-symmetric A"),
    (lambda A: 2 / np.max(np.abs(np.linalg.eigvals(A))), "non-symmetric A"),
    (lambda A: 2 / np.linalg.norm(A, 2), "singular value"),
    (lambda A: 2 / np.linalg.eigvals(sym(A))[0].real, "does not sort"),
])
def test_max_stable_lr_mistakes(wrong, keyword):
    assert keyword in fails(check_max_stable_lr, wrong)


def test_max_stable_lr_hints_say_too_large_or_too_small():
    assert "too large" in fails(check_max_stable_lr, lambda A: 1.3 * max_stable_lr(A))
    assert "too small" in fails(check_max_stable_lr, lambda A: 0.7 * max_stable_lr(A))


def test_first_matrix_separates_the_mistakes():
    # On the first case every mistake gives a different number, so the hint names the right one
    # (np.linalg.eigvals happens to list λ_min first there; that hint mentions the sorting too).
    desc, A = l06._stable_cases()[0]
    values = [v for k, v in l06._stable_mistakes(A).items() if "does not sort" not in k] + [max_stable_lr(A)]
    assert len({round(float(v), 9) for v in values}) == len(values), desc


def test_reference_stability_limit_agrees_with_lossopt_sgd():
    # Just below 2/λ_max gradient descent (lossopt.optim.SGD) converges, just above it diverges.
    for _, A in l06._stable_cases():
        H = sym(A)
        limit = max_stable_lr(A)
        assert not l06._gd_grows(H, 0.98 * limit)
        assert l06._gd_grows(H, 1.02 * limit)


def rho(k):
    return (k - 1) / (k + 1)


@pytest.mark.parametrize("wrong, keyword", [
    (lambda k, t: math.log(t) / math.log(rho(k)) if k > 1 else 1, "not rounded up"),
    (lambda k, t: math.floor(math.log(t) / math.log(rho(k))) if k > 1 else 1, "rounded down"),
    (lambda k, t: int(math.log(t) / math.log(rho(k))) if k > 1 else 1, "rounded down"),
    (lambda k, t: round(math.log(t) / math.log(rho(k))) if k > 1 else 1, "round"),
    (lambda k, t: math.ceil(math.log(t) / math.log(1 - 1 / k)) if k > 1 else 1, "1 − 1/κ"),
    (lambda k, t: math.ceil(math.log(t) / math.log(rho(k) ** 2)) if k > 1 else 1, "rate of the loss"),
    (lambda k, t: math.ceil(math.log(t) / math.log((k ** 0.5 - 1) / (k ** 0.5 + 1))) if k > 1 else 1, "momentum"),
    (lambda k, t: math.ceil(k / 2 * math.log(1 / t)), "large-κ approximation"),
    (lambda k, t: math.ceil(math.log10(t) / math.log(rho(k))) if k > 1 else 1, "log10"),
    (lambda k, t: math.ceil(np.log(t) / np.log(rho(k))), "κ = 1 gives ρ = 0"),
])
def test_steps_to_converge_mistakes(wrong, keyword):
    assert keyword in fails(check_steps_to_converge, wrong)


def test_steps_cases_are_away_from_rounding_boundaries_and_match_sgd():
    for kappa, tol in l06._STEP_CASES:
        r = rho(kappa)
        if r > 0:
            frac = math.log(tol) / math.log(r)
            assert abs(frac - round(frac)) > 1e-6, (kappa, tol)
        expected = l06._reference_steps(kappa, tol)
        assert expected == steps_to_converge(kappa, tol)
        if expected <= 3000:
            assert l06._measured_steps(kappa, tol) == expected


def test_reference_gd_is_lossopt_sgd():
    # The reference path is lossopt.optim.SGD with momentum 0, which is θ ← θ − lr ∇f(θ).
    grad = lambda t: np.array([2.0, 20.0]) * t  # noqa: E731
    theta, path = l06._reference_gd(grad, np.array([1.0, 1.0]), 0.05, 3)
    np.testing.assert_allclose(path[1], [0.9, 0.0])
    assert path.shape == (4, 2) and np.array_equal(path[-1], theta)
    opt = optim.SGD(lr=0.05)
    np.testing.assert_array_equal(opt.step(path[1], grad(path[1])), path[2])
