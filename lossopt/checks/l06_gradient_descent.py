"""Checks for lesson 06, gradient descent.

Exercises: ``gradient_descent(grad_f, theta0, lr, steps) -> (theta, path)``,
``max_stable_lr(A)`` and ``steps_to_converge(kappa, tol)``.

Every expected value is computed here, independently of the answer: the
gradient-descent path by :class:`lossopt.optim.SGD` (momentum 0, which is plain
gradient descent), the stability limit from the eigenvalues of the Hessian
:math:`(A + A^\\top)/2` (confirmed by running ``optim.SGD`` just below and just
above it), and the number of steps from the contraction factor
:math:`(\\kappa - 1)/(\\kappa + 1)` (confirmed by running ``optim.SGD`` where that is
cheap). The ``mistakes`` tables hold what each classic mistake would return, so
the hint can name it.
"""
from __future__ import annotations

import math

import numpy as np

from .. import losses, optim, surfaces
from ._core import CheckFailed, Exercise, fmt

__all__ = ["check_gradient_descent", "check_max_stable_lr", "check_steps_to_converge"]


# -- shared helpers ---------------------------------------------------------------------------------



def _one_number(ex, got, case, what):
    """``got`` as a float, or a clean failure saying that one number was expected."""
    if got is None:
        ex.fail(f"{what} is None.", case=case, hint="did you forget the `return` statement?")
    if isinstance(got, (str, bytes)):
        ex.fail(f"{what} is a string ({fmt(got)}), expected a number.", case=case)
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        ex.fail(f"{what} is a {type(got).__name__}, expected a number.", case=case)
    if arr.ndim != 0:
        ex.fail(f"{what} has shape {arr.shape}, expected one number.", case=case,
                hint="return a plain number (a float or an int), e.g. float(x) of a 0-d result")
    return float(arr)


# -- exercise 1: gradient descent, the whole path ---------------------------------------------------

def _quadratic(A, b):
    """Gradient of f(θ) = ½ θᵀAθ − bᵀθ (A symmetric)."""
    return lambda theta: A @ theta - b


def _spd(rng, d, kappa):
    """A random symmetric positive definite d×d matrix with eigenvalues from 1 to kappa."""
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = np.geomspace(1.0, kappa, d) if d > 1 else np.array([kappa])
    return (q * lam) @ q.T


def _gd_cases():
    """(description, grad_f, theta0, lr, steps): quadratic and non-quadratic functions, d = 1..5."""
    rng = np.random.default_rng(606)
    cases = []
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    cases.append(("f = ½θᵀAθ with A = [[3, 1], [1, 2]], theta0 = [1, -2], lr = 0.1, steps = 5",
                  _quadratic(A, np.zeros(2)), np.array([1.0, -2.0]), 0.1, 5))
    cases.append(("f(θ) = θ² in 1-D (gradient 2θ), theta0 = [3.0], lr = 0.1, steps = 8",
                  lambda t: 2.0 * t, np.array([3.0]), 0.1, 8))
    cases.append(("f(θ) = θ⁴/4 − θ in 1-D (gradient θ³ − 1), theta0 = [2.0], lr = 0.05, steps = 12",
                  lambda t: t ** 3 - 1.0, np.array([2.0]), 0.05, 12))
    for d in (1, 2, 3, 4, 5):
        A = _spd(rng, d, kappa=4.0 * d)
        b = rng.normal(size=d)
        lr = 1.0 / (4.0 * d)
        cases.append((f"random quadratic ½θᵀAθ − bᵀθ in {d}-D, lr = {lr:g}, steps = {5 + 3 * d}",
                      _quadratic(A, b), rng.normal(size=d) * 2.0, lr, 5 + 3 * d))
    c = rng.normal(size=4)
    cases.append(("f(θ) = Σ log cosh(θ − c) in 4-D (gradient tanh(θ − c)), lr = 0.5, steps = 10",
                  lambda t: np.tanh(t - c), rng.normal(size=4) * 3.0, 0.5, 10))
    ros = surfaces.rosenbrock()
    cases.append(("Rosenbrock (lossopt.surfaces.rosenbrock().grad), theta0 = [-1.5, 2.5], lr = 0.001, steps = 25",
                  lambda t: ros.grad(t), np.array([-1.5, 2.5]), 0.001, 25))  # a lambda: bound methods do not survive deepcopy equality
    X = rng.normal(size=(20, 3))
    y = (rng.random(20) < 0.5).astype(float)
    cases.append(("logistic regression in 3-D (gradient Xᵀ(σ(Xθ) − y)/N via lossopt.losses), lr = 1.0, steps = 15",
                  lambda t: X.T @ losses.binary_cross_entropy_with_logits_grad(X @ t, y),
                  np.zeros(3), 1.0, 15))
    cases.append(("lr = 0 (no movement), 3-D quadratic, steps = 4",
                  _quadratic(np.diag([1.0, 2.0, 3.0]), np.ones(3)), np.array([1.0, 2.0, 3.0]), 0.0, 4))
    cases.append(("steps = 0 (path is just the start), 2-D quadratic, lr = 0.1",
                  _quadratic(np.eye(2), np.zeros(2)), np.array([0.5, -0.5]), 0.1, 0))
    cases.append(("steps = 1, 5-D quadratic, lr = 0.2",
                  _quadratic(np.diag([1.0, 2.0, 3.0, 4.0, 5.0]), np.zeros(5)), np.ones(5), 0.2, 1))
    cases.append(("lr = 1.2 on f = θ₁² + θ₂² (λ_max = 2, stable only for lr < 1): the path grows on purpose, "
                  "steps = 6", _quadratic(2.0 * np.eye(2), np.zeros(2)), np.array([1.0, -1.0]), 1.2, 6))
    return cases


def _reference_gd(grad_f, theta0, lr, steps):
    """The expected answer: lossopt.optim.SGD with momentum 0 is plain gradient descent."""
    opt = optim.SGD(lr=lr)
    theta = np.array(theta0, dtype=np.float64)
    path = [theta]
    for _ in range(steps):
        theta = opt.step(theta, grad_f(theta))
        path.append(theta)
    return theta, np.array(path)


def _wrong_gd(grad_f, theta0, lr, steps, kind):
    """The path a classic mistake produces (plain numpy, deliberately wrong)."""
    theta = np.array(theta0, dtype=np.float64)
    g0 = np.array(grad_f(theta))
    path = [theta]
    for _ in range(steps):
        if kind == "ascent":
            theta = theta + lr * np.array(grad_f(theta))
        elif kind == "frozen gradient":
            theta = theta - lr * g0
        path.append(theta)
    return theta, np.array(path)


def _path_shape_problem(path, ref_path, steps, d):
    """A specific message for a path of the wrong shape, or None."""
    shape = path.shape
    if shape == ref_path.shape:
        return None
    n = steps + 1
    if shape == (steps, d) and steps > 0:
        if np.allclose(path, ref_path[1:], rtol=1e-6, atol=1e-9):
            return (f"path has {steps} rows, expected {n}: it is missing the start.",
                    "path[0] must be theta0 itself, then one row after each step: steps + 1 rows in all")
        if np.allclose(path, ref_path[:-1], rtol=1e-6, atol=1e-9):
            return (f"path has {steps} rows, expected {n}: it is missing the point after the last step.",
                    "append theta after every update (and theta0 before the loop): steps + 1 rows")
        return (f"path has {steps} rows, expected {n} (the start and one row per step).",
                "path[0] is theta0, path[k] is theta after k steps")
    if shape == (steps + 2, d):
        return (f"path has {steps + 2} rows, expected {n}: there is one point too many.",
                "add theta0 once before the loop and one point per update; do not append the start twice "
                "or take an extra step")
    if shape == (n,) and d == 1:
        return (f"path has shape {shape}, expected {(n, d)}.",
                "keep each point as an array of shape (d,) even when d = 1: np.array(list_of_points)")
    if shape == (d, n) and d != n:
        return (f"path has shape {shape}, expected {(n, d)}: it looks transposed.",
                "one row per point: path[k] is theta after k steps")
    return (f"path has shape {shape}, expected {(n, d)}.",
            "stack the points as rows: np.array([theta0, theta1, ...]) has shape (steps + 1, d)")


ALIASING = ("every row of path is the same array: `theta -= ...` (or theta[:] = ...) changes the array "
            "you already appended. Write theta = theta - lr * grad_f(theta), which makes a new array, "
            "or append theta.copy()")


def check_gradient_descent(gradient_descent):
    """Check ``gradient_descent(grad_f, theta0, lr, steps) -> (theta, path)`` against ``lossopt.optim.SGD``.

    Many functions (quadratic and not, d = 1..5), lr = 0, steps = 0 and 1, and a
    diverging learning rate; compares the final theta and every row of the path.
    """
    ex = Exercise("gradient_descent", gradient_descent, rtol=1e-9, atol=1e-12)
    for desc, grad_f, theta0, lr, steps in _gd_cases():
        try:
            result = ex.call(desc, grad_f, theta0.copy(), lr, steps)
        except CheckFailed as err:
            if "changed one of its inputs" in str(err):
                ex.fail("your function changed theta0 in place.", case=desc,
                        hint="theta = theta0 does not copy: both names are the same array, so theta -= ... "
                             "changes theta0 too (aliasing). Start with theta = theta0.copy() and update with "
                             "theta = theta - lr * grad_f(theta)")
            raise
        theta, path = ex.unpack(result, ("theta", "path"), desc)
        d = theta0.size
        with np.errstate(all="ignore"):
            ref_theta, ref_path = _reference_gd(grad_f, theta0, lr, steps)
            ascent = _wrong_gd(grad_f, theta0, lr, steps, "ascent")
            frozen = _wrong_gd(grad_f, theta0, lr, steps, "frozen gradient")
        aliased = np.tile(ref_theta, (steps + 1, 1))
        sign = ("wrong sign: gradient descent subtracts, theta - lr * grad_f(theta); adding the gradient "
                "climbs uphill (gradient ascent)")
        stale = "the gradient is computed once at theta0; compute grad_f(theta) at the current theta in every step"
        path_arr = ex._as_numbers(desc, path, "path", ref_path)
        problem = _path_shape_problem(path_arr, ref_path, steps, d)
        if problem:
            ex.fail(problem[0], case=desc, hint=problem[1])
        ex.compare(desc, theta, ref_theta, what="theta (the final point)",
                   mistakes={sign: ascent[0], stale: frozen[0]},
                   hint="theta after `steps` updates theta ← theta − lr · grad_f(theta)")
        mistakes = {sign: ascent[1], stale: frozen[1]}
        if steps > 0 and not np.allclose(ref_path[0], ref_theta):
            mistakes = {ALIASING: aliased, **mistakes}
        ex.compare(desc, path_arr, ref_path, what="path", mistakes=mistakes,
                   hint="path[k] is theta after k steps; path[0] = theta0 and path[-1] = theta")
    ex.passed(" (the final theta and every row of the path)")


# -- exercise 2: the largest stable learning rate -----------------------------------------------------

def _stable_cases():
    """(description, A) with A's symmetric part positive definite."""
    rng = np.random.default_rng(626)
    cases = [
        ("A = [[4, 1, 0], [1, 3, 1], [0, 1, 2]] (its largest eigenvalue is above the largest diagonal entry)",
         np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])),
        ("A = [[2.0, 1.9], [1.9, 2.0]] (largest eigenvalue 3.9, largest diagonal entry 2)",
         np.array([[2.0, 1.9], [1.9, 2.0]])),
        ("A = diag(1, 10)", np.diag([1.0, 10.0])),
        ("A = [[2, 1], [1, 2]] as an integer array", np.array([[2, 1], [1, 2]])),
    ]
    for d, kappa, scale in ((2, 10.0, 1.0), (3, 100.0, 0.5), (5, 1e3, 2.0), (8, 1e6, 1.0), (20, 50.0, 10.0),
                            (4, 1.5, 0.01)):
        A = scale * _spd(rng, d, kappa)
        A = (A + A.T) / 2
        cases.append((f"random symmetric positive definite {d}×{d} matrix, condition number {kappa:g}, "
                      f"largest eigenvalue {scale * kappa:g}", A))
    A = np.array([[2.0, 3.0], [-1.0, 2.0]])
    cases.append(("A = [[2, 3], [-1, 2]], not symmetric: its Hessian is (A + Aᵀ)/2 = [[2, 1], [1, 2]]", A))
    for d in (3, 6):
        S = _spd(rng, d, 20.0)
        K = rng.normal(size=(d, d))
        A = (S + S.T) / 2 + (K - K.T)
        cases.append((f"a non-symmetric {d}×{d} matrix (random positive definite symmetric part plus a "
                      f"skew-symmetric part)", A))
    cases.append(("A = [[4.0]] (1×1)", np.array([[4.0]])))
    cases.append(("A = 3·I (3×3), condition number 1", 3.0 * np.eye(3)))
    return cases


def _stable_mistakes(A):
    """What each classic mistake of max_stable_lr returns on A."""
    A = np.asarray(A, dtype=float)
    H = (A + A.T) / 2
    lam = np.linalg.eigvalsh(H)
    mistakes = {}
    if not np.allclose(A, A.T):
        ev = np.linalg.eigvals(A)
        mistakes["eigenvalues of the non-symmetric A (np.linalg.eigvals(A)): f only sees the symmetric part, "
                 "so use the eigenvalues of the Hessian (A + A.T) / 2"] = 2.0 / np.max(ev.real)
        mistakes["|eigenvalues| of the non-symmetric A: use the eigenvalues of the Hessian (A + A.T) / 2"] = \
            2.0 / np.max(np.abs(ev))
        mistakes["np.linalg.eigvalsh(A) reads only the lower triangle of A and assumes it is symmetric: "
                 "symmetrise first, H = (A + A.T) / 2"] = 2.0 / np.linalg.eigvalsh(A)[-1]
        mistakes["the largest singular value of A (np.linalg.norm(A, 2)) is not an eigenvalue of the Hessian: "
                 "use (A + A.T) / 2"] = 2.0 / np.linalg.norm(A, 2)
    mistakes.update({
        "1/λ_max: stability needs |1 − lr·λ| < 1, i.e. lr < 2/λ_max, not 1/λ_max": 1.0 / lam[-1],
        "2/λ_min: the largest eigenvalue sets the limit (the steepest direction overshoots first); "
        "np.linalg.eigvalsh sorts ascending (the largest is the last) and np.linalg.eigvals does not sort at all: "
        "take the max": 2.0 / lam[0],
        "2/(λ_min + λ_max) is the best fixed learning rate, not the largest stable one": 2.0 / (lam[0] + lam[-1]),
        "the trace is the sum of all eigenvalues, not the largest: use np.linalg.eigvalsh": 2.0 / np.trace(H),
        "the largest diagonal entry is not the largest eigenvalue (off-diagonal entries matter)":
            2.0 / np.max(np.diag(A)),
        "λ_max/2 is upside down: the limit is 2/λ_max": lam[-1] / 2.0,
        "the Frobenius norm is not the largest eigenvalue": 2.0 / np.linalg.norm(A),
        "np.linalg.eigvals does not sort the eigenvalues: take the max (or use eigvalsh, whose "
        "last eigenvalue is the largest)": 2.0 / np.linalg.eigvals(H)[0].real,
    })
    return mistakes


def _gd_grows(H, lr, steps=300):
    """Does gradient descent (lossopt.optim.SGD) on f = ½θᵀHθ move away from the minimum at 0?"""
    opt = optim.SGD(lr=lr)
    theta = np.linalg.eigh(H)[1][:, -1] + 0.1 * np.ones(len(H))   # weight on the steepest direction
    start = np.linalg.norm(theta)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            theta = opt.step(theta, H @ theta)
        return not np.linalg.norm(theta) < start


def check_max_stable_lr(max_stable_lr):
    """Check ``max_stable_lr(A)``: 2/λ_max of the Hessian (A + Aᵀ)/2 of f(θ) = ½θᵀAθ.

    The expected value comes from ``np.linalg.eigvalsh``; the check confirms with
    ``lossopt.optim.SGD`` that gradient descent converges just below it and
    diverges just above it.
    """
    ex = Exercise("max_stable_lr", max_stable_lr, rtol=1e-7, atol=0.0)
    for desc, A in _stable_cases():
        got = _one_number(ex, ex.call(desc, A.copy()), desc, "the learning rate")
        H = (np.asarray(A, dtype=float) + np.asarray(A, dtype=float).T) / 2
        expected = 2.0 / np.linalg.eigvalsh(H)[-1]
        if _gd_grows(H, 0.98 * expected) or not _gd_grows(H, 1.02 * expected):  # pragma: no cover
            raise RuntimeError(f"reference stability limit disagrees with lossopt.optim.SGD on {desc}")
        if got > expected * (1 + 1e-7) and math.isfinite(got):
            hint = (f"too large: at lr = {got:.6g} gradient descent (lossopt.optim.SGD) "
                    f"{'diverges' if _gd_grows(H, got) else 'is at the edge'} on this A, "
                    "because |1 − lr·λ_max| > 1")
        elif got < expected:
            hint = "too small: gradient descent is still stable up to 2/λ_max, with λ_max the largest eigenvalue"
        else:
            hint = None
        ex.compare(desc, got, expected, what="the learning rate", mistakes=_stable_mistakes(A), hint=hint)
    ex.passed()


# -- exercise 3: iterations to converge, from the theory ------------------------------------------------

def _rho(kappa):
    return (kappa - 1.0) / (kappa + 1.0)


def _reference_steps(kappa, tol):
    """Smallest integer k >= 0 with ((κ−1)/(κ+1))^k <= tol, found exactly around the log formula."""
    rho = _rho(kappa)
    if rho == 0.0:
        return 0 if tol >= 1 else 1
    k = max(0, math.ceil(math.log(tol) / math.log(rho)))
    while rho ** k > tol:
        k += 1
    while k > 0 and rho ** (k - 1) <= tol:
        k -= 1
    return k


def _measured_steps(kappa, tol, limit=3000):
    """Steps lossopt.optim.SGD at lr = 2/(1 + κ) needs on f = ½(x² + κy²) from (1, 1) to shrink the error by tol."""
    opt = optim.SGD(lr=2.0 / (1.0 + kappa))
    theta = np.array([1.0, 1.0])
    H = np.array([1.0, kappa])
    start = np.linalg.norm(theta)
    for k in range(limit + 1):
        if np.linalg.norm(theta) <= tol * start:
            return k
        theta = opt.step(theta, H * theta)
    return None


_STEP_CASES = [(10.0, 1e-6), (2.0, 1e-6), (4.0, 1e-10), (1.5, 0.01), (3.0, 0.4), (10.0, 1e-3), (37.5, 1e-4),
               (100.0, 1e-6), (1e3, 1e-8), (1e4, 1e-6), (1e6, 1e-12), (7.0, 0.3), (1.0, 1e-6), (1.0, 0.1)]


def _step_mistakes(kappa, tol):
    rho = _rho(kappa)
    with np.errstate(all="ignore"):
        raw = np.log(tol) / np.log(rho) if rho > 0 else 0.0
        mistakes = {
            "not rounded up: a number of steps is an integer, and k steps must be enough, so use math.ceil":
                raw,
            "rounded down (int(), math.floor, or round() when it rounds down): k steps must satisfy "
            "ρ^k ≤ tol, so round up with math.ceil": math.floor(raw),
            "rounded to the nearest integer: k must satisfy ρ^k ≤ tol, so round up with math.ceil":
                round(raw),
            "the rate of lr = 1/λ_max, ρ = 1 − 1/κ: at the best lr = 2/(λ_min + λ_max) it is (κ − 1)/(κ + 1)":
                math.ceil(np.log(tol) / np.log(1 - 1 / kappa)) if kappa > 1 else 1,
            "ρ² per step is the rate of the loss, ½θᵀAθ, not of the distance ‖θ − θ*‖: use ρ = (κ − 1)/(κ + 1)":
                math.ceil(np.log(tol) / np.log(rho ** 2)) if rho > 0 else 1,
            "(√κ − 1)/(√κ + 1) is the rate of momentum (lesson 08); plain gradient descent has (κ − 1)/(κ + 1)":
                math.ceil(np.log(tol) / np.log((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1))) if kappa > 1 else 1,
            "the large-κ approximation (κ/2)·ln(1/tol) is not exact for small κ: use log(tol) / log(ρ)":
                math.ceil(kappa / 2 * math.log(1 / tol)),
            "log10 in one place and the natural log in the other: use the same logarithm for tol and ρ":
                math.ceil(np.log10(tol) / np.log(rho)) if rho > 0 else 1,
        }
    if rho == 0.0:
        mistakes = {"κ = 1 gives ρ = 0: one step lands exactly on the minimum, so the answer is 1 "
                    "(log(0) = −inf would give 0)": 0}
    return mistakes


def check_steps_to_converge(steps_to_converge):
    """Check ``steps_to_converge(kappa, tol)``: the smallest k with ((κ−1)/(κ+1))^k ≤ tol.

    The expected value is found exactly; for small answers the check also runs
    ``lossopt.optim.SGD`` at lr = 2/(λ_min + λ_max) on ½(x² + κy²) and confirms that
    it needs exactly that many steps.
    """
    ex = Exercise("steps_to_converge", steps_to_converge, rtol=0.0, atol=1e-9)
    for kappa, tol in _STEP_CASES:
        desc = f"kappa = {kappa:g}, tol = {tol:g}"
        got = _one_number(ex, ex.call(desc, kappa, tol), desc, "the number of steps")
        expected = _reference_steps(kappa, tol)
        rho = _rho(kappa)
        if rho > 0:
            frac = math.log(tol) / math.log(rho)
            if abs(frac - round(frac)) < 1e-6:  # pragma: no cover - the cases avoid exact boundaries
                raise RuntimeError(f"case {desc} sits on a rounding boundary; choose another")
        if expected <= 3000 and _measured_steps(kappa, tol) != expected:  # pragma: no cover
            raise RuntimeError(f"reference steps disagree with lossopt.optim.SGD on {desc}")
        ex.compare(desc, got, expected, what="the number of steps", mistakes=_step_mistakes(kappa, tol),
                   hint="k = ceil(log(tol) / log(ρ)) with ρ = (κ − 1)/(κ + 1); κ = 1 needs one step")
    ex.passed()
