"""Checks for lesson 09, RMSprop and AdaGrad.

Exercises: ``rmsprop_step(theta, grad, v, lr, alpha, eps) -> (new_theta, new_v)``,
``adagrad_step(theta, grad, s, lr, eps) -> (new_theta, new_s)`` and
``effective_lr(grads, lr, eps) -> (T, d) array``.

Every expected value comes from :mod:`lossopt.optim` (one source of truth, the
same numbers as ``torch.optim``): the check loads the learner's current state into
an ``optim.RMSprop`` / ``optim.Adagrad`` (``opt.state["param"]``), takes one step
and compares the new parameters *and* the new state. Each run feeds the learner's
own outputs back in, over many steps, shapes and gradient scales (zero, tiny,
huge). The ``mistakes`` tables hold what each classic mistake would return, so the
hint can name it.
"""
from __future__ import annotations

import numpy as np

from .. import optim
from ._core import CheckFailed, Exercise, fmt

__all__ = ["check_rmsprop_step", "check_adagrad_step", "check_effective_lr"]


# -- shared helpers ---------------------------------------------------------------------------------



def _call(ex, case, *args, inputs="theta, grad and v", culprit="v *= alpha",
          fix="v = alpha * v + (1 - alpha) * grad ** 2"):
    """``ex.call`` with a specific hint when the answer changes an input array in place."""
    try:
        return ex.call(case, *args)
    except CheckFailed as err:
        if "changed one of its inputs" in str(err):
            ex.fail(f"your function changed one of its inputs ({inputs}) in place.", case=case,
                    hint=f"`{culprit}` or `theta -= ...` overwrite the caller's arrays (the optimizer's state); "
                         f"build new arrays instead: {fix}")
        raise


def _array(ex, case, got, expected, what):
    """``got`` as a float array of the expected shape, or a clean failure."""
    arr = ex._as_numbers(case, got, what, expected)
    if arr.shape != expected.shape:
        hint = ("keep the shape of theta: every coordinate has its own entry"
                if arr.size != expected.size else "same values, wrong shape: do not reshape or flatten")
        if arr.ndim == 0 and expected.ndim > 0:
            hint = ("one number for all coordinates: did you take a mean or a sum? Every coordinate keeps its "
                    "own value (no np.mean, no np.sum)")
        ex.fail(f"{what} has shape {arr.shape}, expected shape {expected.shape} (the shape of theta).",
                case=case, hint=hint)
    return arr


def _compare_step(ex, case, theta, got_theta, ref_theta, mistakes, hint):
    """Compare the step theta - new_theta (differences show there, not in the 7th digit of theta)."""
    scale = 1e-13 * max(1.0, float(np.max(np.abs(theta))))
    with np.errstate(all="ignore"):
        wrong = {what: theta - np.asarray(value, dtype=float) for what, value in mistakes.items()}
    ex.compare(case, theta - got_theta, theta - ref_theta, what="the step theta - new_theta", mistakes=wrong,
               hint=hint, atol=scale)


def _describe(values) -> str:
    a = np.abs(np.asarray(values, dtype=float))
    if a.size == 0:
        return "empty"
    nz = a[a > 0]
    if nz.size == 0:
        return "all zero"
    return f"|g| from {nz.min():.1g} to {nz.max():.1g}" + (" (some exactly 0)" if nz.size < a.size else "")


def _runs(rng):
    """(what, theta0, state0 or None for zeros, grads (T, *shape), lr, alpha, eps) for the step exercises.

    ``eps`` is RMSprop's; AdaGrad uses 1e-10 (its torch default) where RMSprop uses 1e-8.
    """
    def normal(*shape):
        return rng.standard_normal(shape)

    runs = [
        # tiny gradients from a zero state: this is where eps inside or outside the root matters
        ("shape (4,), theta = 0, tiny gradients about 1e-4, -1e-6, 1e-9, -1e-12, 6 steps", np.zeros(4), None,
         np.tile([1e-4, -1e-6, 1e-9, -1e-12], (6, 1)) * (1 + 0.1 * np.arange(6))[:, None], 0.01, 0.99, 1e-8),
        ("shape (3,), ordinary gradients, 25 steps", normal(3), None, normal(25, 3), 1e-2, 0.99, 1e-8),
        # very different gradient scales per coordinate: the point of per-coordinate step sizes
        ("shape (2, 3), coordinates whose gradients differ by up to 1e12, 20 steps", normal(2, 3), None,
         normal(20, 2, 3) * np.array([[1e-3, 1.0, 1e3], [1e-6, 10.0, 1e6]]), 0.1, 0.9, 1e-8),
        # huge gradients: g**2 stays finite (1e200), the first step is about lr / sqrt(1 - alpha)
        ("shape (3,), huge gradients about 1e8, -1e50, 1e100, 5 steps", normal(3), None,
         np.tile([1e8, -1e50, 1e100], (5, 1)) * (1 + 0.5 * normal(5, 3) ** 2), 0.001, 0.95, 1e-8),
        # zero gradients: first from a zero state (no NaN!), then after non-zero ones (the state decays or stays)
        ("shape (5,), zero gradients (steps 1-3 and 7-9, and coordinate 4 always), 12 steps", normal(5), None,
         _with_zeros(normal(12, 5)), 0.05, 0.9, 1e-8),
        # a large eps with gradients of its order: inside and outside the root differ a lot
        ("shape (4, 1), gradients of order 1e-3 and a large eps, 10 steps", normal(4, 1), None,
         1e-3 * normal(10, 4, 1), 0.01, 0.99, 1e-3),
        # alpha = 0: v = g², every RMSprop step is lr * sign(g)
        ("shape (2, 2, 2), gradients 5·N(0, 1), 6 steps", normal(2, 2, 2), None, 5 * normal(6, 2, 2, 2),
         0.1, 0.0, 1e-8),
        ("shape (6,), coordinates with gradient scales 0.01 to 1000, 15 steps", normal(6), None,
         normal(15, 6) * np.array([0.01, 0.1, 1, 10, 100, 1000]), 0.3, 0.5, 1e-6),
        # resuming from a saved state, and AdaGrad's Keras/optax initial_accumulator_value = 0.1
        ("shape (3,), resuming from a saved state [0.5, 2.0, 1e-4] (not zeros), 10 steps", normal(3),
         np.array([0.5, 2.0, 1e-4]), normal(10, 3), 0.02, 0.8, 1e-8),
        ("shape (2,), the state starts at 0.1 everywhere (Keras's initial accumulator), 8 steps", normal(2),
         np.full(2, 0.1), normal(8, 2), 0.1, 0.9, 1e-8),
        ("shape (1,), gradients 3 + noise, 60 steps", normal(1), None, 3.0 + normal(60, 1), 0.01, 0.99, 1e-8),
    ]
    return runs


def _with_zeros(g):
    g = g.copy()
    g[:3] = 0.0
    g[6:9] = 0.0
    g[:, 4] = 0.0
    return g


# -- exercise 1: one RMSprop step ------------------------------------------------------------------

def _rmsprop_reference(theta, grad, v, lr, alpha, eps):
    """One step of lossopt.optim.RMSprop (torch's update) from the state v: (new_theta, new_v)."""
    opt = optim.RMSprop(lr=lr, alpha=alpha, eps=eps)
    opt.state["param"] = {"step": 0, "square_avg": np.array(v, dtype=np.float64, copy=True)}
    new_theta = opt.step(theta, grad)
    return new_theta, opt.state["param"]["square_avg"].copy()


def _rmsprop_mistakes(theta, g, v, lr, alpha, eps):
    """(mistakes for new_v, mistakes for new_theta, ...) computed independently."""
    v_new = alpha * v + (1 - alpha) * g * g
    den = np.sqrt(v_new) + eps
    v_abs = alpha * v + (1 - alpha) * np.abs(g)
    v_lin = alpha * v + (1 - alpha) * g
    v_swap = (1 - alpha) * v + alpha * g * g
    v_mistakes = {
        "(1 - alpha) on the wrong term: v = (1 - alpha) * v + alpha * g² (alpha weighs the OLD average)": v_swap,
        "forgot to square the gradient: |g| instead of g² in the average": v_abs,
        "forgot to square the gradient: g instead of g² in the average (it can go negative)": v_lin,
        "the new v forgets the old one: v = (1 - alpha) * g², without alpha * v": (1 - alpha) * g * g,
        "v = v + (1 - alpha) * g²: the old average must be multiplied by alpha": v + (1 - alpha) * g * g,
        "new v = g²: torch starts v at zeros, so the first v is alpha * 0 + (1 - alpha) * g², "
        "and later ones alpha * v + (1 - alpha) * g²": g * g,
        "one v shared by all coordinates (a mean over them): each coordinate keeps its own average of its own g²":
            alpha * v + (1 - alpha) * np.mean(g * g) * np.ones_like(v),
        "returned the old v: return the updated average": v,
        "returned (new_v, new_theta): return new_theta first, then new_v": theta - lr * g / den,
    }
    theta_mistakes = {
        "eps inside the square root (Keras/optax style): torch divides by sqrt(v) + eps":
            theta - lr * g / np.sqrt(v_new + eps),
        "used the old v in the update: first update v, then divide by sqrt(new v) + eps":
            theta - lr * g / (np.sqrt(v) + eps),
        "wrong sign: RMSprop subtracts, theta - lr * g / (sqrt(v) + eps)": theta + lr * g / den,
        "no square root: divide by sqrt(v) + eps, not v + eps": theta - lr * g / (v_new + eps),
        "forgot to square the gradient: |g| instead of g² in the average":
            theta - lr * g / (np.sqrt(v_abs) + eps),
        "forgot to square the gradient: g instead of g² in the average":
            theta - lr * g / (np.sqrt(v_lin) + eps),
        "(1 - alpha) on the wrong term: v = (1 - alpha) * v + alpha * g²":
            theta - lr * g / (np.sqrt(v_swap) + eps),
        "forgot the learning rate": theta - g / den,
        "eps is missing from the denominator (forgotten, or outside the parentheses): "
        "lr * grad / (np.sqrt(v) + eps)": theta - lr * g / np.sqrt(v_new),
        "parentheses: lr * grad / (np.sqrt(v) + eps); without them eps is added to theta":
            theta - lr * g / np.sqrt(v_new) + eps,
        "returned (new_v, new_theta): return new_theta first, then new_v": v_new,
    }
    return v_mistakes, theta_mistakes


def check_rmsprop_step(rmsprop_step):
    """Check ``rmsprop_step(theta, grad, v, lr=1e-2, alpha=0.99, eps=1e-8) -> (new_theta, new_v)``.

    Compared with ``lossopt.optim.RMSprop`` (PyTorch's update: v starts at 0, eps
    outside the root) after every step of many runs: shapes (1,) to (2, 2, 2), zero,
    tiny and huge gradients, alpha from 0 to 0.99, a resumed non-zero v; also the
    default hyperparameters. Both the new parameters and the new v are compared,
    and the inputs must not change.
    """
    ex = Exercise("rmsprop_step", rmsprop_step, rtol=1e-9, atol=0.0)
    rng = np.random.default_rng(909)
    runs = _runs(rng)
    for what, theta, v0, grads, lr, alpha, eps in runs:
        hp = dict(lr=lr, alpha=alpha, eps=eps)
        desc = f"{what}, lr={lr:g}, alpha={alpha:g}, eps={eps:g}"
        v = np.zeros_like(theta) if v0 is None else v0.astype(np.float64)
        for t, g in enumerate(grads, start=1):
            case = f"{desc}; step {t} (v before the step: {_describe(v) if np.any(v) else 'zeros'}, grad: {_describe(g)})"
            result = _call(ex, case, theta.copy(), g.copy(), v.copy(), hp["lr"], hp["alpha"], hp["eps"])
            new_theta, new_v = ex.unpack(result, ("new_theta", "new_v"), case)
            with np.errstate(all="ignore"):
                ref_theta, ref_v = _rmsprop_reference(theta, g, v, **hp)
                v_mistakes, theta_mistakes = _rmsprop_mistakes(theta, g, v, **hp)
            got_v = _array(ex, case, new_v, ref_v, "new_v")
            got_theta = _array(ex, case, new_theta, ref_theta, "new_theta")
            ex.compare(case, got_v, ref_v, what="new_v (the running average of g²)", mistakes=v_mistakes,
                       hint="v_new = alpha * v + (1 - alpha) * grad ** 2, elementwise",
                       atol=1e-300)
            _compare_step(ex, case, theta, got_theta, ref_theta, theta_mistakes,
                          "new_theta = theta - lr * grad / (np.sqrt(new_v) + eps), with the NEW v")
            theta, v = got_theta, got_v
    # the defaults are torch's
    theta, g = rng.standard_normal(4), np.array([1e-9, -3e-8, 1e-3, -2.0])
    case = "theta of shape (4,), grad [1e-9, -3e-8, 1e-3, -2], v = zeros, called as rmsprop_step(theta, grad, v) with the default lr, alpha, eps"
    result = _call(ex, case, theta.copy(), g.copy(), np.zeros(4))
    new_theta, new_v = ex.unpack(result, ("new_theta", "new_v"), case)
    ref_theta, ref_v = _rmsprop_reference(theta, g, np.zeros(4), lr=1e-2, alpha=0.99, eps=1e-8)
    defaults = "keep torch's defaults in the signature: lr=1e-2, alpha=0.99, eps=1e-8"
    ex.compare(case, _array(ex, case, new_v, ref_v, "new_v"), ref_v, what="new_v", hint=defaults, atol=1e-300)
    _compare_step(ex, case, theta, _array(ex, case, new_theta, ref_theta, "new_theta"), ref_theta, {}, defaults)
    ex.passed(f" (new_theta and new_v after every step of {len(runs)} runs, and the defaults)")


# -- exercise 2: one AdaGrad step ------------------------------------------------------------------

def _adagrad_reference(theta, grad, s, lr, eps):
    """One step of lossopt.optim.Adagrad (torch's update, lr_decay = 0) from the state s: (new_theta, new_s)."""
    opt = optim.Adagrad(lr=lr, eps=eps)
    opt.state["param"] = {"step": 0, "sum": np.array(s, dtype=np.float64, copy=True)}
    new_theta = opt.step(theta, grad)
    return new_theta, opt.state["param"]["sum"].copy()


def _adagrad_mistakes(theta, g, s, lr, eps):
    s_new = s + g * g
    den = np.sqrt(s_new) + eps
    s_abs = s + np.abs(g)
    s_lin = s + g
    s_mistakes = {
        "accumulated |g| instead of g²: s = s + grad ** 2": s_abs,
        "accumulated g instead of g²: s = s + grad ** 2": s_lin,
        "s was reset: s = grad ** 2 forgets the past; AdaGrad ADDS every squared gradient, s = s + grad ** 2": g * g,
        "returned the old s: return the updated sum": s,
        "returned (new_s, new_theta): return new_theta first, then new_s": theta - lr * g / den,
        "a running average is RMSprop, not AdaGrad: s = s + grad ** 2, no decay": 0.99 * s + 0.01 * g * g,
    }
    theta_mistakes = {
        "eps inside the square root (Keras/optax style): torch divides by sqrt(s) + eps":
            theta - lr * g / np.sqrt(s_new + eps),
        "used the old s in the update: first add grad ** 2, then divide by sqrt(new s) + eps":
            theta - lr * g / (np.sqrt(s) + eps),
        "wrong sign: AdaGrad subtracts, theta - lr * grad / (sqrt(s) + eps)": theta + lr * g / den,
        "no square root: divide by sqrt(s) + eps, not s + eps": theta - lr * g / (s_new + eps),
        "accumulated |g| instead of g²": theta - lr * g / (np.sqrt(s_abs) + eps),
        "s was reset to grad ** 2 (then every step is lr * sign(grad))": theta - lr * g / (np.abs(g) + eps),
        "forgot the learning rate": theta - g / den,
        "eps is missing from the denominator (forgotten, or outside the parentheses): "
        "lr * grad / (np.sqrt(s) + eps)": theta - lr * g / np.sqrt(s_new),
        "parentheses: lr * grad / (np.sqrt(s) + eps); without them eps is added to theta":
            theta - lr * g / np.sqrt(s_new) + eps,
        "returned (new_s, new_theta): return new_theta first, then new_s": s_new,
    }
    return s_mistakes, theta_mistakes


def check_adagrad_step(adagrad_step):
    """Check ``adagrad_step(theta, grad, s, lr=1e-2, eps=1e-10) -> (new_theta, new_s)``.

    Compared with ``lossopt.optim.Adagrad`` (PyTorch's update with lr_decay = 0)
    after every step of many runs (shapes, zero/tiny/huge gradients, a non-zero
    initial sum such as Keras's 0.1); both the new parameters and the new sum s
    are compared, and the inputs must not change.
    """
    ex = Exercise("adagrad_step", adagrad_step, rtol=1e-9, atol=0.0)
    rng = np.random.default_rng(919)
    runs = _runs(rng)
    for what, theta, s0, grads, lr, _, eps in runs:
        eps = 1e-10 if eps == 1e-8 else eps
        desc = f"{what}, lr={lr:g}, eps={eps:g}"
        s = np.zeros_like(theta) if s0 is None else s0.astype(np.float64)
        for t, g in enumerate(grads, start=1):
            case = f"{desc}; step {t} (s before the step: {_describe(s) if np.any(s) else 'zeros'}, grad: {_describe(g)})"
            result = _call(ex, case, theta.copy(), g.copy(), s.copy(), lr, eps, inputs="theta, grad and s",
                           culprit="s += grad ** 2", fix="s = s + grad ** 2")
            new_theta, new_s = ex.unpack(result, ("new_theta", "new_s"), case)
            with np.errstate(all="ignore"):
                ref_theta, ref_s = _adagrad_reference(theta, g, s, lr, eps)
                s_mistakes, theta_mistakes = _adagrad_mistakes(theta, g, s, lr, eps)
            got_s = _array(ex, case, new_s, ref_s, "new_s")
            got_theta = _array(ex, case, new_theta, ref_theta, "new_theta")
            ex.compare(case, got_s, ref_s, what="new_s (the sum of all squared gradients)", mistakes=s_mistakes,
                       hint="s_new = s + grad ** 2, elementwise", atol=1e-300)
            _compare_step(ex, case, theta, got_theta, ref_theta, theta_mistakes,
                          "new_theta = theta - lr * grad / (np.sqrt(new_s) + eps), with the NEW s")
            theta, s = got_theta, got_s
    theta, g = rng.standard_normal(4), np.array([1e-11, -3e-10, 1e-3, -2.0])
    case = "theta of shape (4,), grad [1e-11, -3e-10, 1e-3, -2], s = zeros, called as adagrad_step(theta, grad, s) with the default lr, eps"
    result = _call(ex, case, theta.copy(), g.copy(), np.zeros(4), inputs="theta, grad and s",
                   culprit="s += grad ** 2", fix="s = s + grad ** 2")
    new_theta, new_s = ex.unpack(result, ("new_theta", "new_s"), case)
    ref_theta, ref_s = _adagrad_reference(theta, g, np.zeros(4), lr=1e-2, eps=1e-10)
    defaults = "keep torch's defaults in the signature: lr=1e-2, eps=1e-10"
    ex.compare(case, _array(ex, case, new_s, ref_s, "new_s"), ref_s, what="new_s", hint=defaults, atol=1e-300)
    _compare_step(ex, case, theta, _array(ex, case, new_theta, ref_theta, "new_theta"), ref_theta, {}, defaults)
    ex.passed(f" (new_theta and new_s after every step of {len(runs)} runs, and the defaults)")


# -- exercise 3: AdaGrad's effective learning rate over a whole run --------------------------------

def _effective_reference(grads, lr, eps):
    """η / (sqrt(s_t) + eps) after each step, read from lossopt.optim.Adagrad's state."""
    opt = optim.Adagrad(lr=lr, eps=eps)
    theta = np.zeros(grads.shape[1:])
    rows = []
    for g in grads:
        theta = opt.step(theta, g)
        rows.append(lr / (np.sqrt(opt.state["param"]["sum"]) + eps))
    return np.array(rows).reshape(grads.shape)


def _effective_cases(rng):
    cases = [
        ("grads of shape (5, 2): [[3, 4]] * 5 (constant gradients), lr=1.0, eps=1e-10",
         np.tile([3.0, 4.0], (5, 1)), 1.0, 1e-10),
        ("grads of shape (200, 3), standard normal noise times (0.1, 1, 10), lr=0.5, eps=1e-10",
         rng.standard_normal((200, 3)) * np.array([0.1, 1.0, 10.0]), 0.5, 1e-10),
        ("grads of shape (1, 4): one step, lr=0.01, eps=1e-10", rng.standard_normal((1, 4)), 0.01, 1e-10),
        ("grads of shape (6, 3) with zeros (coordinate 0 is 0 for 3 steps, then 2), lr=0.1, eps=1e-3",
         np.array([[0, 1, 2], [0, -1, 2], [0, 1, -2], [2, 1, 2], [2, 1, 2], [-2, 1, 2]], dtype=float), 0.1, 1e-3),
        ("grads of shape (8, 2), tiny gradients 1e-7 and 1e-12, lr=0.01, eps=1e-10",
         np.tile([1e-7, -1e-12], (8, 1)), 0.01, 1e-10),
        ("grads of shape (50, 1), gradients that grow like t, lr=2.0, eps=1e-10",
         np.arange(1.0, 51.0)[:, None], 2.0, 1e-10),
    ]
    return cases


def check_effective_lr(effective_lr):
    """Check ``effective_lr(grads, lr, eps=1e-10)``: η/(√s_t + ε) per step and coordinate, s_t = Σ_{k≤t} g_k².

    Compared with the state of ``lossopt.optim.Adagrad`` after each step of the run.
    """
    ex = Exercise("effective_lr", effective_lr, rtol=1e-9, atol=0.0)
    rng = np.random.default_rng(929)
    for desc, grads, lr, eps in _effective_cases(rng):
        got = ex.call(desc, grads.copy(), lr, eps)
        ref = _effective_reference(grads, lr, eps)
        got = _array(ex, desc, got, ref, "the effective learning rates")
        s = np.cumsum(grads * grads, axis=0)
        s_before = np.vstack([np.zeros((1,) + grads.shape[1:]), s[:-1]])
        mistakes = {
            "the sum must include the current step: s_t = g_1² + ... + g_t² (np.cumsum, not shifted by one)":
                lr / (np.sqrt(s_before) + eps),
            "accumulated |g| instead of g²": lr / (np.sqrt(np.cumsum(np.abs(grads), axis=0)) + eps),
            "eps inside the square root: torch uses lr / (sqrt(s) + eps)": lr / np.sqrt(s + eps),
            "no square root: lr / (sqrt(s) + eps)": lr / (s + eps),
            "the total over ALL steps for every row: use a running (cumulative) sum, np.cumsum(grads ** 2, axis=0)":
                np.broadcast_to(lr / (np.sqrt(s[-1]) + eps), grads.shape),
            "a running MEAN of g² is RMSprop-like; AdaGrad uses the running SUM":
                lr / (np.sqrt(s / np.arange(1, len(grads) + 1).reshape((-1,) + (1,) * (grads.ndim - 1))) + eps),
            "summed over the coordinates: each coordinate has its own sum (np.cumsum(..., axis=0) only)":
                np.broadcast_to(lr / (np.sqrt(np.cumsum((grads * grads).sum(axis=1), axis=0))[:, None] + eps),
                                grads.shape),
        }
        ex.compare(desc, got, ref, what="the effective learning rates", mistakes=mistakes,
                   hint="row t is lr / (np.sqrt(g_1² + ... + g_t²) + eps), coordinate by coordinate", atol=1e-300)
    ex.passed(" (every step and coordinate of 6 runs)")
