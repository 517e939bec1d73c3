"""Checks for lesson 08, momentum and Nesterov.

Exercises: ``momentum_step(theta, grad, buf, lr, beta) -> (new_theta, new_buf)``,
``nesterov_step(theta, grad, buf, lr, beta) -> (new_theta, new_buf)`` (both with
PyTorch's semantics: ``buf`` is None on the first step and the buffer then starts
at the gradient itself), and ``convert_convention(lr, beta) -> dict`` (the
``SGD`` hyperparameters that reproduce the update v ← βv + (1−β)g, θ ← θ − lr·v).

Every expected value comes from :class:`lossopt.optim.SGD` (the same update as
``torch.optim.SGD``): for a step, the optimizer is given the same parameter,
gradient and buffer, and its new parameter and ``state["momentum_buffer"]`` are
the answer. The ``mistakes`` tables hold what each classic mistake would return,
so that the hint can name it.
"""
from __future__ import annotations

import math

import numpy as np

from .. import optim, surfaces
from ._core import CheckFailed, Exercise, fmt

__all__ = ["check_momentum_step", "check_nesterov_step", "check_convert_convention"]


# -- shared helpers ---------------------------------------------------------------------------------



def _reference_step(theta, grad, buf, lr, beta, nesterov):
    """One step of lossopt.optim.SGD (= torch.optim.SGD) from the given buffer: (new_theta, new_buf)."""
    opt = optim.SGD(lr=lr, momentum=beta, nesterov=nesterov)
    if buf is not None:
        opt.state["param"] = {"step": 1, "momentum_buffer": np.array(buf, dtype=np.float64)}
    new_theta = opt.step(theta, grad)
    return new_theta, opt.state["param"]["momentum_buffer"].copy()


def _step_cases():
    """(description, theta0, gradient function of (theta, t), lr, beta, steps): shapes (), (1,), (3,), (4, 5), ..."""
    rng = np.random.default_rng(808)
    cases = []
    bumpy = surfaces.bumpy()
    cases.append(("bumpy curve f = x²/8 + sin²x from x = [5.0], lr = 0.1, beta = 0.9, the gradient at each x",
                  np.array([5.0]), lambda th, t: bumpy.grad(th), 0.1, 0.9, 25))
    bowl = surfaces.quadratic_bowl(25.0)
    cases.append(("quadratic bowl ½(x² + 25y²) from (-3, 1.5), lr = 0.05, beta = 0.6",
                  np.array([-3.0, 1.5]), lambda th, t: bowl.grad(th), 0.05, 0.6, 15))
    for shape, beta, lr in (((3,), 0.5, 0.1), ((4, 5), 0.99, 0.01), ((2, 3, 2), 0.1, 0.3), ((), 0.8, 0.5),
                            ((7,), 0.95, 1.0)):
        grads = rng.normal(size=(12,) + shape) * rng.choice([0.1, 1.0, 10.0])
        cases.append((f"theta of shape {shape}, random gradients, lr = {lr:g}, beta = {beta:g}",
                      rng.normal(size=shape), lambda th, t, grads=grads: grads[t], lr, beta, 12))
    cases.append(("constant gradient [1.0, -2.0] (the buffer should approach g/(1 − beta)), lr = 0.1, beta = 0.9",
                  np.zeros(2), lambda th, t: np.array([1.0, -2.0]), 0.1, 0.9, 20))
    cases.append(("lr = 0: theta must not move, but the buffer still accumulates; beta = 0.7",
                  np.array([1.0, 2.0, 3.0]), lambda th, t: np.array([0.5, -1.0, 2.0]) * (t + 1), 0.0, 0.7, 5))
    cases.append(("a zero gradient at the first step, then ones; lr = 0.2, beta = 0.5",
                  np.array([1.0, -1.0]), lambda th, t: np.zeros(2) if t == 0 else np.ones(2), 0.2, 0.5, 4))
    cases.append(("large values (theta ~ 1e6, gradients ~ 1e3), lr = 1e-3, beta = 0.9",
                  np.array([1e6, -2e6]), lambda th, t: np.array([1e3, 3e3]) * (-1) ** t, 1e-3, 0.9, 6))
    cases.append(("shape (1,) with beta = 0.999, lr = 0.01", np.array([0.3]),
                  lambda th, t: np.array([np.sin(t + 1.0)]), 0.01, 0.999, 8))
    return cases


def _step_mistakes(theta, grad, buf, lr, beta, nesterov):
    """{hint: (new_theta, new_buf)} for each classic mistake on this step."""
    g = np.asarray(grad, dtype=float)
    th = np.asarray(theta, dtype=float)
    m = {}
    if buf is None:
        d = g + beta * g if nesterov else g            # the right first step direction
        damp = (1 - beta) * g                          # dl.ai style: v = 0, then v = beta v + (1 - beta) g
        m["buffer started at zero with a (1 − beta) factor: PyTorch's first buffer is the gradient itself, "
          "b = grad.copy(), not (1 − beta)·grad"] = (th - lr * (g + beta * damp if nesterov else damp), damp)
        m["on the first step (buf is None) the buffer is a copy of grad, and theta already moves: "
          "theta − lr·" + ("(grad + beta·grad)" if nesterov else "grad")] = (th, g)
        m["wrong sign: theta − lr·(step), gradient descent subtracts"] = (th + lr * d, g)
        m["the buffer you return must not include the learning rate (PyTorch stores b, not the velocity "
          "−lr·b of the v = beta·v − lr·g form)"] = (th - lr * d, -lr * g)
        m["lr folded into the buffer: return b = grad (without lr); the learning rate only multiplies the "
          "step"] = (th - lr * d, lr * g)
        if nesterov:
            m["θ − lr·grad is the heavy-ball step (or a look-ahead with the old buffer, zero here): Nesterov steps "
              "along d = grad + beta·b with the NEW buffer b, which is grad on the first step"] = (th - lr * g, g)
            m["you returned the step direction d = grad + beta·b as the buffer: return b (grad on the first "
              "step)"] = (th - lr * d, d)
        else:
            m["that is the Nesterov step θ − lr·(grad + beta·b); plain momentum steps along b"] = \
                (th - lr * (g + beta * g), g)
        return m
    b = np.asarray(buf, dtype=float)
    nb = beta * b + g
    step = (g + beta * nb) if nesterov else nb
    damp = beta * b + (1 - beta) * g
    m["(1 − beta) dampening applied: PyTorch's buffer is b = beta·b + grad (dampening = 0)"] = \
        (th - lr * ((g + beta * damp) if nesterov else damp), damp)
    m["beta and (1 − beta) mixed up: the old buffer is multiplied by beta, b = beta·b + grad"] = \
        (th - lr * ((g + beta * ((1 - beta) * b + g)) if nesterov else (1 - beta) * b + g), (1 - beta) * b + g)
    m["wrong sign: theta − lr·(step), gradient descent subtracts"] = (th + lr * step, nb)
    m["the buffer you return must not include the learning rate (PyTorch stores b, not the velocity "
      "v = beta·v − lr·grad; the learning rate only multiplies the step)"] = (th + beta * b - lr * g, beta * b - lr * g)
    m["lr folded into the buffer: b = beta·b + grad, without lr; the learning rate only multiplies the step"] = \
        (th - beta * b - lr * g, beta * b + lr * g)
    m["the gradient alone moves theta: the step must use the momentum buffer"] = (th - lr * g, nb)
    if nesterov:
        m["that is the heavy-ball step θ − lr·b; Nesterov steps along d = grad + beta·b (the new b)"] = \
            (th - lr * nb, nb)
        m["the look-ahead uses the old buffer: d = grad + beta·b with b the NEW buffer (beta·b_old + grad)"] = \
            (th - lr * (g + beta * b), nb)
        m["you returned the step direction d = grad + beta·b as the buffer: return b = beta·b_old + grad"] = \
            (th - lr * step, step)
        m["(1 + beta)·grad ignores the buffer: d = grad + beta·(beta·b_old + grad)"] = (th - lr * (1 + beta) * g, nb)
    else:
        m["the update uses the old buffer: compute b = beta·b + grad first, then theta − lr·b"] = (th - lr * b, nb)
        m["that is the Nesterov step θ − lr·(grad + beta·b); plain momentum steps along b"] = \
            (th - lr * (g + beta * nb), nb)
    return m


def _close(got, value):
    value = np.asarray(value, dtype=float)
    return got.shape == value.shape and bool(np.allclose(got, value, rtol=1e-6, atol=1e-12))


def _check_step(ex, answer_name, nesterov):
    name = "theta, grad, buf, lr, beta"
    for desc, theta0, grad_fn, lr, beta, steps in _step_cases():
        theta, buf = np.array(theta0, dtype=np.float64), None
        for t in range(steps):
            g = np.array(grad_fn(theta, t), dtype=np.float64)
            case = f"{desc}; step {t + 1}" + (" (buf is None)" if buf is None else "")
            args = (theta.copy(), g.copy(), None if buf is None else buf.copy(), lr, beta)
            try:
                result = ex.call(case, *args)
            except CheckFailed as err:
                if "changed one of its inputs" in str(err):
                    ex.fail("your function changed one of its inputs (theta, grad or buf) in place.", case=case,
                            hint="buf *= beta or theta -= ... modifies the caller's arrays: build new ones, "
                                 "e.g. new_buf = beta * buf + grad and new_theta = theta - lr * ...")
                raise
            got_theta, got_buf = ex.unpack(result, ("new_theta", "new_buf"), case)
            ref_theta, ref_buf = _reference_step(theta, g, buf, lr, beta, nesterov)
            if got_buf is None:
                ex.fail("new_buf is None.", case=case,
                        hint="return the new buffer too; on the first step it is a copy of grad"
                        if buf is None else "return the new buffer b = beta·b + grad too")
            if isinstance(got_buf, np.ndarray) and np.shares_memory(got_buf, args[1]) and np.any(g != 0):
                ex.fail("new_buf is the grad array itself, not a copy.", case=case,
                        hint="on the first step use buf = grad.copy() (PyTorch clones it): otherwise whoever "
                             "changes grad later (zeroing it for the next batch) changes your buffer too")
            gt = ex._as_numbers(case, got_theta, "new_theta", np.asarray(ref_theta))
            gb = ex._as_numbers(case, got_buf, "new_buf", np.asarray(ref_buf))
            if (gt.shape == ref_buf.shape and gb.shape == ref_theta.shape
                    and np.allclose(gt, ref_buf, rtol=1e-9, atol=1e-12)
                    and np.allclose(gb, ref_theta, rtol=1e-9, atol=1e-12)
                    and not np.allclose(ref_theta, ref_buf, rtol=1e-9, atol=1e-12)):
                ex.fail("new_theta and new_buf are swapped.", case=case,
                        hint="return (new_theta, new_buf), in that order")
            mistakes = _step_mistakes(theta, g, buf, lr, beta, nesterov)
            both = {k: v for k, v in mistakes.items() if _close(gt, v[0]) and _close(gb, v[1])}
            if both:            # a mistake that explains both returned values names the hint
                mistakes = both
            ex.compare(case, gt, ref_theta, what="new_theta",
                       mistakes={k: v[0] for k, v in mistakes.items()},
                       hint="new_theta = theta − lr·" + ("(grad + beta·b)" if nesterov else "b")
                            + " with the NEW buffer b")
            ex.compare(case, gb, ref_buf, what="new_buf",
                       mistakes={k: v[1] for k, v in mistakes.items()},
                       hint="b = grad.copy() on the first step, then b = beta·b + grad")
            theta, buf = ref_theta, ref_buf
    # A whole run with the answer's own outputs fed back: no hidden state, and the path of lossopt.optim.SGD.
    bumpy = surfaces.bumpy()
    case = "100 steps on the bumpy curve from x = [5.0], lr = 0.1, beta = 0.9, feeding your outputs back in"
    theta, buf = np.array([5.0]), None
    for _ in range(100):
        theta, buf = ex.unpack(ex.call(case, theta, bumpy.grad(theta), buf, 0.1, 0.9), ("new_theta", "new_buf"),
                             case)
        theta, buf = np.asarray(theta, dtype=float), np.asarray(buf, dtype=float)
    expected = surfaces.run(optim.SGD(lr=0.1, momentum=0.9, nesterov=nesterov), bumpy, start=(5.0,), steps=100,
                            tol=0.0).points[-1]
    ex.compare(case, theta, expected, what="theta after 100 steps", rtol=1e-7,
               hint="each step must depend only on its arguments (no global state)")
    ex.passed(" (new_theta and new_buf on every step, first steps and later ones)")


def check_momentum_step(momentum_step):
    """Check ``momentum_step(theta, grad, buf, lr, beta) -> (new_theta, new_buf)`` against ``lossopt.optim.SGD``.

    PyTorch semantics: b = grad.copy() when buf is None, else b = beta·buf + grad;
    new_theta = theta − lr·b. Every step of many runs (shapes (), (1,), (3,), (4, 5),
    (2, 3, 2), ...), both returned values, inputs untouched, then one run that feeds
    the answer's outputs back in.
    """
    ex = Exercise("momentum_step", momentum_step, rtol=1e-9, atol=1e-12)
    _check_step(ex, "momentum_step", nesterov=False)


def check_nesterov_step(nesterov_step):
    """Check ``nesterov_step(theta, grad, buf, lr, beta) -> (new_theta, new_buf)`` against ``lossopt.optim.SGD(nesterov=True)``.

    PyTorch semantics: b as in momentum_step; new_theta = theta − lr·(grad + beta·b).
    """
    ex = Exercise("nesterov_step", nesterov_step, rtol=1e-9, atol=1e-12)
    _check_step(ex, "nesterov_step", nesterov=True)


# -- exercise 3: converting the (1 − beta) convention into SGD's hyperparameters ------------------------

SGD_KEYS = ("lr", "momentum", "dampening", "weight_decay", "nesterov")


def _ema_momentum_path(theta0, grad_fn, lr, beta, steps):
    """The other convention (deeplearning.ai): v = 0; v ← beta·v + (1 − beta)·g; θ ← θ − lr·v. All points."""
    theta, v = np.array(theta0, dtype=np.float64), np.zeros_like(theta0, dtype=np.float64)
    path = [theta]
    for t in range(steps):
        v = beta * v + (1 - beta) * grad_fn(theta, t)
        theta = theta - lr * v
        path.append(theta)
    return np.array(path)


def _sgd_path(kwargs, theta0, grad_fn, steps):
    opt = optim.SGD(**kwargs)
    theta = np.array(theta0, dtype=np.float64)
    path = [theta]
    for t in range(steps):
        theta = opt.step(theta, grad_fn(theta, t))
        path.append(theta)
    return np.array(path)


_CONVERT_CASES = [(0.1, 0.9), (0.01, 0.99), (0.5, 0.5), (1.0, 0.0), (0.03, 0.95), (0.2, 0.8), (1e-3, 0.999),
                  (0.05, 0.1), (2.0, 0.3)]


def _runs():
    """(description, theta0, gradient function of (theta, t), steps) on which both conventions are run."""
    rng = np.random.default_rng(818)
    grads = rng.normal(size=(60, 3))
    bumpy = surfaces.bumpy()
    bowl = surfaces.quadratic_bowl(10.0)
    return [
        ("60 random gradients in 3-D (independent of theta)", rng.normal(size=3), lambda th, t: grads[t], 60),
        ("the bumpy curve f = x²/8 + sin²x from x = 5", np.array([5.0]), lambda th, t: bumpy.grad(th), 120),
        ("the quadratic bowl ½(x² + 10y²) from (-3, 1.5)", np.array([-3.0, 1.5]), lambda th, t: bowl.grad(th), 80),
    ]


def _convert_mistakes(lr, beta):
    return {
        "dampening = beta: PyTorch's first buffer is the gradient itself, not (1 − beta)·g, so the first "
        "gradient weighs 1/(1 − beta) times too much; use momentum = beta, dampening = 0 and scale lr instead":
            dict(lr=lr, momentum=beta, dampening=beta),
        "lr unchanged: PyTorch's buffer b = beta·b + g is 1/(1 − beta) times v = beta·v + (1 − beta)·g, so "
        "the same lr takes steps 1/(1 − beta) times longer; use lr·(1 − beta)":
            dict(lr=lr, momentum=beta),
        "lr/(1 − beta) is the wrong way round: PyTorch's buffer is already 1/(1 − beta) times larger, so "
        "multiply: lr·(1 − beta)": dict(lr=lr / (1 - beta), momentum=beta),
        "lr·(1 − beta) and dampening = beta count the (1 − beta) twice: keep dampening = 0":
            dict(lr=lr * (1 - beta), momentum=beta, dampening=beta),
        "momentum is beta itself, not 1 − beta": dict(lr=lr * (1 - beta), momentum=1 - beta),
        "lr·beta: the factor is (1 − beta), the weight of the new gradient": dict(lr=lr * beta, momentum=beta),
    }


def check_convert_convention(convert_convention):
    """Check ``convert_convention(lr, beta) -> dict`` of SGD keyword arguments.

    ``optim.SGD(**convert_convention(lr, beta))`` must follow the same parameters,
    step for step, as v ← beta·v + (1 − beta)·g (v starting at 0), θ ← θ − lr·v,
    on random gradients, the bumpy curve and a quadratic bowl.
    """
    ex = Exercise("convert_convention", convert_convention, rtol=1e-9, atol=1e-12)
    runs = _runs()
    for lr, beta in _CONVERT_CASES:
        case = f"lr = {lr:g}, beta = {beta:g}"
        got = ex.call(case, lr, beta)
        if got is None:
            ex.fail("your function returned None.", case=case,
                    hint="return a dict of SGD keyword arguments, e.g. {'lr': ..., 'momentum': ...}")
        if not isinstance(got, dict):
            ex.fail(f"expected a dict of SGD keyword arguments, got {fmt(got)}.", case=case,
                    hint="return {'lr': ..., 'momentum': ...} (and 'dampening' if you need it), so that "
                         "optim.SGD(**kwargs) works")
        unknown = sorted(str(k) for k in got if k not in SGD_KEYS)
        if unknown:
            ex.fail(f"SGD has no argument named {', '.join(map(repr, unknown))}.", case=case,
                    hint=f"use the names of torch.optim.SGD / lossopt.optim.SGD: {', '.join(SGD_KEYS)}")
        try:
            optim.SGD(**got)
        except (TypeError, ValueError) as err:
            ex.fail(f"optim.SGD(**your_dict) raised {type(err).__name__}: {err}", case=case,
                    hint="lr, momentum and dampening are plain numbers")
        mistakes = _convert_mistakes(lr, beta)
        for desc, theta0, grad_fn, steps in runs:
            run_case = f"{case}, {desc}, {steps} steps"
            with np.errstate(all="ignore"):
                expected = _ema_momentum_path(theta0, grad_fn, lr, beta, steps)
                reference = _sgd_path(dict(lr=lr * (1 - beta), momentum=beta), theta0, grad_fn, steps)
                if not np.allclose(reference, expected, rtol=1e-10, atol=1e-12):  # pragma: no cover
                    raise RuntimeError(f"lossopt.optim.SGD does not reproduce the (1 − beta) convention on {run_case}")
                path = _sgd_path(got, theta0, grad_fn, steps)
                wrong = {hint: _sgd_path(kw, theta0, grad_fn, steps) for hint, kw in mistakes.items()}
            ex.compare(run_case, path, expected, what=f"the path of optim.SGD(**{fmt(got)})",
                       mistakes={h: p for h, p in wrong.items() if not np.allclose(p, expected, rtol=1e-9, atol=1e-12)},
                       hint="compare the buffers: b = beta·b + g (first b = g) against v = beta·v + (1 − beta)·g "
                            "(v = 0 before the first step)")
    ex.passed(" (every point of SGD's path matches the (1 − beta) convention)")
