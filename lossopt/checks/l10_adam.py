"""Checks for lesson 10, Adam and AdamW.

Exercises (PyTorch semantics: ``t`` is the number of steps already taken, so it is
0 before the first step and is incremented *before* the bias correction; ``m`` and
``v`` start at zeros):

- ``adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)``
  -> ``(new_theta, new_m, new_v, new_t)``;
- ``adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
  weight_decay=1e-2)`` -> the same four values, with decoupled weight decay.

Every expected value comes from :class:`lossopt.optim.Adam` / :class:`lossopt.optim.AdamW`
(one source of truth, the same numbers as ``torch.optim``): the check loads the
current state into the optimizer (``opt.state["param"] = {"step": t, "exp_avg": m,
"exp_avg_sq": v}``), takes one step, and compares the new parameters *and every
piece of the new state* (m, v and t), over runs of many steps, several shapes,
gradient scales from 1e-9 to 1e4, and hyperparameters from the defaults to extreme
ones. Comparing every piece of state is what catches a mis-ordered ``t``.
The parameters are compared through the step ``new_theta - theta``, so that a small
error in a small step is not hidden by a large ``theta``.
The ``mistakes`` tables hold what each classic mistake would return, so the hint
can name it.
"""
from __future__ import annotations

import numpy as np

from .. import optim
from ._core import Exercise, fmt

__all__ = ["check_adam_step", "check_adamw_step"]

DEFAULTS = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
ADAMW_DEFAULT_DECAY = 1e-2
#: weight decays tried by the AdamW check, by case number (others: 0.05 to 0.2)
ADAMW_DECAYS = {0: [0.3], 3: [2.0], 4: [0.1, 0.0]}


# -- the reference: lossopt's optimizers, given the learner's state ---------------------------------

def _reference(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay=0.0, decoupled=False):
    """One step of lossopt's Adam (or AdamW) from the state (m, v, t): (new_theta, new_m, new_v, new_t)."""
    cls = optim.AdamW if decoupled else optim.Adam
    opt = cls(lr=lr, betas=(beta1, beta2), eps=eps, weight_decay=weight_decay)
    opt.state["param"] = {"step": int(t), "exp_avg": np.array(m, dtype=float),
                          "exp_avg_sq": np.array(v, dtype=float)}
    new_theta = np.asarray(opt.step(np.asarray(theta, dtype=float), np.asarray(grad, dtype=float)))
    state = opt.state["param"]
    return new_theta, state["exp_avg"].copy(), state["exp_avg_sq"].copy(), int(state["step"])


# -- what the classic mistakes return (plain numpy, deliberately wrong) ------------------------------

def _wrong(theta, g, m, v, t, lr, b1, b2, eps, wd=0.0, *, decay="decoupled", mistake=None):
    """(new_theta, new_m, new_v, new_t) of one classic mistake; ``mistake=None`` is the right answer.

    ``decay``: "decoupled" (AdamW, the default), "l2" (Adam's weight_decay), "after" (decay after
    the step), "lambda" (shrink by 1 - λ instead of 1 - ηλ), "none".
    """
    theta, g = np.asarray(theta, dtype=float), np.asarray(g, dtype=float)
    m, v = np.asarray(m, dtype=float), np.asarray(v, dtype=float)
    with np.errstate(all="ignore"):
        if decay == "decoupled":
            theta_0 = theta * (1 - lr * wd)
        elif decay == "lambda":
            theta_0 = theta * (1 - wd)
        else:
            theta_0 = theta
        if decay == "l2":
            g = g + wd * theta
        t_new = t + 1
        if mistake == "betas_swapped":                # (1 - β) and β exchanged
            m_new = (1 - b1) * m + b1 * g
            v_new = (1 - b2) * v + b2 * g * g
        elif mistake == "beta1_beta2_swapped":        # m with β2, v with β1
            m_new = b2 * m + (1 - b2) * g
            v_new = b1 * v + (1 - b1) * g * g
        elif mistake == "not_squared":
            m_new = b1 * m + (1 - b1) * g
            v_new = b2 * v + (1 - b2) * g
        else:
            m_new = b1 * m + (1 - b1) * g
            v_new = b2 * v + (1 - b2) * g * g
        tc = t if mistake == "t_not_incremented" else t_new
        c1, c2 = 1 - b1 ** tc, 1 - b2 ** tc
        m_hat, v_hat = m_new / c1, v_new / c2
        if mistake == "no_bias_correction":
            step = m_new / (np.sqrt(v_new) + eps)
        elif mistake == "eps_inside_sqrt":
            step = m_hat / np.sqrt(v_hat + eps)
        elif mistake == "eps_hat":                    # ε added before the bias correction (Keras)
            step = (np.sqrt(c2) / c1) * m_new / (np.sqrt(v_new) + eps)
        elif mistake == "raw_m":
            step = m_new / (np.sqrt(v_hat) + eps)
        elif mistake == "raw_v":
            step = m_hat / (np.sqrt(v_new) + eps)
        elif mistake == "no_sqrt":
            step = m_hat / (v_hat + eps)
        elif mistake == "no_eps":
            step = m_hat / np.sqrt(v_hat)
        elif mistake == "old_moments":                # θ updated with m, v from before this step
            om, ov = m / c1, v / c2
            step = om / (np.sqrt(ov) + eps)
        else:
            step = m_hat / (np.sqrt(v_hat) + eps)
        sign = -1.0 if mistake == "plus" else 1.0
        theta_new = theta_0 - sign * lr * step
        if decay == "after":
            theta_new = theta_new * (1 - lr * wd)
        if mistake == "t_unchanged":
            t_new = t
    return theta_new, m_new, v_new, t_new


ADAM_MISTAKES = {
    "t_not_incremented": "the bias correction used t before it was incremented: increment t first "
                         "(t = t + 1), then divide by 1 - beta1**t and 1 - beta2**t",
    "no_bias_correction": "no bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t) before the update",
    "eps_inside_sqrt": "eps inside the square root: PyTorch divides by sqrt(v_hat) + eps, not sqrt(v_hat + eps)",
    "eps_hat": "eps added before the bias correction (Keras's 'epsilon hat'): PyTorch uses "
               "m_hat / (sqrt(v_hat) + eps), with v_hat = v / (1 - beta2**t) corrected first",
    "not_squared": "the gradient is not squared in v: v = beta2 * v + (1 - beta2) * grad**2",
    "betas_swapped": "beta and 1 - beta swapped: m = beta1 * m + (1 - beta1) * grad (the old average "
                     "gets the weight beta1), and the same for v",
    "beta1_beta2_swapped": "beta1 and beta2 swapped: m (the average of grad) uses beta1, v (of grad**2) uses beta2",
    "t_unchanged": "t returned unchanged: return the new step count t + 1",
    "raw_m": "the update used the raw m: use the bias-corrected m_hat = m / (1 - beta1**t)",
    "raw_v": "the update used the raw v: use the bias-corrected v_hat = v / (1 - beta2**t)",
    "no_sqrt": "missing square root: divide by sqrt(v_hat) + eps (v_hat is a mean of squared gradients)",
    "no_eps": "eps is missing from the denominator: sqrt(v_hat) + eps",
    "old_moments": "theta was updated with the old m and v: update m and v with this gradient first, "
                   "then use them for the step",
    "plus": "wrong sign: theta - lr * m_hat / (sqrt(v_hat) + eps), a step against the gradient",
}

ADAMW_DECAY_MISTAKES = {
    "after": "the decay was applied after the Adam step: PyTorch's AdamW shrinks theta by (1 - lr * "
             "weight_decay) first, then takes the Adam step",
    "l2": "this is Adam's L2 weight decay (weight_decay * theta added to the gradient); AdamW's is "
          "decoupled: theta = theta * (1 - lr * weight_decay), and the gradient is left alone",
    "lambda": "the decay factor is 1 - lr * weight_decay, not 1 - weight_decay (the decay is scaled by lr)",
    "none": "no weight decay: shrink theta by the factor (1 - lr * weight_decay) before the Adam step",
}


# -- inputs ---------------------------------------------------------------------------------------

def _cases():
    """(description, shape, hyperparameters, steps, gradient function, warm-up steps, use defaults).

    The gradient at step k is ``grad(rng, theta, k)``: mostly a pull of each coordinate towards 0
    (``scale * tanh(theta)``) plus noise, so a run behaves like training: the parameters move and
    the moments follow.
    """
    def noisy(scales, noise=0.5):
        scales = np.asarray(scales, dtype=float)

        def grad(rng, theta, k):
            return scales * (np.tanh(theta) + noise * rng.standard_normal(np.shape(theta)))
        return grad

    def constant(value):
        return lambda rng, theta, k: np.full(np.shape(theta), value, dtype=float)

    def flipping(scale):
        return lambda rng, theta, k: scale * (-1.0) ** k * (1.0 + 0.1 * rng.standard_normal(np.shape(theta)))

    def with_zeros(rng, theta, k):
        g = rng.standard_normal(np.shape(theta))
        g[..., ::2] = 0.0                                  # every other coordinate never gets a gradient
        return g

    hyper = dict
    return [
        # first case: t = 3 on input, eps that matters, strong bias correction: most mistakes show at once
        ("a run with theta of shape (4,), gradients of scales 0.01 to 10, lr=0.1, beta1=0.8, beta2=0.95, "
         "eps=0.05", (4,), hyper(lr=0.1, beta1=0.8, beta2=0.95, eps=0.05), 6, noisy([0.01, 0.1, 1.0, 10.0]),
         3, False),
        ("the first steps from m = v = 0, t = 0, theta of shape (5,), lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8",
         (5,), hyper(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8), 5, noisy([1.0] * 5), 0, False),
        ("the first steps, called with the default lr, beta1, beta2 and eps, theta of shape (3,)",
         (3,), hyper(**DEFAULTS), 3, noisy([0.5, 1.0, 2.0]), 0, True),
        ("a constant gradient 0.5, theta a single number (shape ()), lr=0.05, beta1=0.9, beta2=0.99, eps=1e-8",
         (), hyper(lr=0.05, beta1=0.9, beta2=0.99, eps=1e-8), 12, constant(0.5), 0, False),
        ("a 2-D theta of shape (3, 4), lr=0.003, beta1=0.5, beta2=0.9, eps=1e-6", (3, 4),
         hyper(lr=0.003, beta1=0.5, beta2=0.9, eps=1e-6), 8, noisy(np.geomspace(1e-3, 1e3, 4)), 0, False),
        ("beta1 = 0 (no momentum), theta of shape (2, 3, 2), lr=0.02, beta2=0.99, eps=1e-4", (2, 3, 2),
         hyper(lr=0.02, beta1=0.0, beta2=0.99, eps=1e-4), 6, noisy([1.0]), 0, False),
        ("tiny gradients (about 1e-9, below eps = 1e-8), theta of shape (6,), lr=0.001", (6,),
         hyper(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8), 6, noisy([1e-9] * 6, noise=2.0), 0, False),
        ("huge gradients (about 1e4), theta of shape (4,), lr=0.5, beta1=0.95, beta2=0.9999, eps=1e-8", (4,),
         hyper(lr=0.5, beta1=0.95, beta2=0.9999, eps=1e-8), 6, noisy([1e4] * 4), 0, False),
        ("a gradient whose sign flips every step, theta of shape (3,), lr=0.01, beta1=0.9, beta2=0.999",
         (3,), hyper(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8), 8, flipping(2.0), 0, False),
        ("half the coordinates never get a gradient (exact zeros), theta of shape (2, 4), lr=0.1", (2, 4),
         hyper(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8), 6, with_zeros, 0, False),
        ("late in training: t = 1000 on input (the bias corrections are nearly 1), theta of shape (3,), lr=0.001",
         (3,), hyper(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8), 3, noisy([0.1, 1.0, 10.0]), 1000, False),
        ("a long run of 40 steps, theta of shape (5,), lr=0.05, beta1=0.85, beta2=0.98, eps=1e-3", (5,),
         hyper(lr=0.05, beta1=0.85, beta2=0.98, eps=1e-3), 40, noisy(np.geomspace(0.01, 1.0, 5)), 0, False),
    ]


def _runs(decoupled):
    """Yield (description, inputs dict, expected tuple, use_defaults, weight_decay) for every step of every case."""
    for i, (desc, shape, hp, steps, grad_fn, warm, use_defaults) in enumerate(_cases()):
        decays = [0.0]
        if decoupled:
            decays = [ADAMW_DEFAULT_DECAY] if use_defaults else ADAMW_DECAYS.get(i, [0.05 * (1 + i % 4)])
        for wd in decays:
            rng = np.random.default_rng(1000 + i)
            theta = rng.normal(0.0, 2.0, shape)
            m, v, t = np.zeros(shape), np.zeros(shape), 0
            for k in range(warm):                          # reach t = warm with a realistic state
                g = grad_fn(rng, theta, k)
                theta, m, v, t = _reference(theta, g, m, v, t, hp["lr"], hp["beta1"], hp["beta2"], hp["eps"],
                                            wd, decoupled)
            for k in range(steps):
                g = np.asarray(grad_fn(rng, theta, k), dtype=float)
                inputs = dict(theta=np.array(theta, dtype=float), grad=g, m=np.array(m), v=np.array(v), t=t, **hp)
                expected = _reference(theta, g, m, v, t, hp["lr"], hp["beta1"], hp["beta2"], hp["eps"],
                                      wd, decoupled)
                extra = (", weight_decay also left at its default" if use_defaults else f", weight_decay={wd:g}") \
                    if decoupled else ""
                label = f"{desc}{extra}; step {k + 1} of the run, t = {t} on input"
                yield label, inputs, expected, use_defaults, wd
                theta, m, v, t = expected


# -- comparing ------------------------------------------------------------------------------------



def _scale_atol(expected, rel=1e-9):
    e = np.abs(np.asarray(expected, dtype=float))
    return rel * float(e.max()) if e.size and e.max() > 0 else 1e-300


def _check_step(ex, label, result, inputs, expected, mistakes, hint=None):
    """Compare the learner's (new_theta, new_m, new_v, new_t) with ``expected``; mistakes: text -> tuple."""
    new_theta, new_m, new_v, new_t = ex.unpack(result, ("new_theta", "new_m", "new_v", "new_t"), label)
    ref_theta, ref_m, ref_v, ref_t = expected
    theta, t = inputs["theta"], inputs["t"]
    ex.compare(label, new_m, ref_m, what="new_m", rtol=1e-7, atol=_scale_atol(ref_m),
               mistakes={d: w[1] for d, w in mistakes.items()},
               hint=hint or "m = beta1 * m + (1 - beta1) * grad")
    ex.compare(label, new_v, ref_v, what="new_v", rtol=1e-7, atol=_scale_atol(ref_v),
               mistakes={d: w[2] for d, w in mistakes.items()},
               hint=hint or "v = beta2 * v + (1 - beta2) * grad**2")
    ex.compare(label, new_t, ref_t, what="new_t", rtol=0, atol=0,
               mistakes={d: w[3] for d, w in mistakes.items()},
               hint="t counts the steps taken: return t + 1")
    # The parameters are compared through the step new_theta - theta, so that a wrong
    # step is not hidden by a large theta.
    got_theta = ex._as_numbers(label, new_theta, "new_theta", np.asarray(ref_theta))
    if got_theta.shape != np.shape(ref_theta):
        ex.fail(f"new_theta has shape {got_theta.shape}, expected shape {np.shape(ref_theta)} (the shape of theta).",
                case=label, hint="new_theta has the shape of theta: every operation is elementwise")
    with np.errstate(all="ignore"):
        ref_step = np.asarray(ref_theta, dtype=float) - theta
        got_step = got_theta - theta
        step_mistakes = {d: np.asarray(w[0], dtype=float) - theta for d, w in mistakes.items()}
    if t == 0 and not np.all(np.isfinite(got_step)):
        ex.fail("new_theta contains NaN or inf at the first step.", case=label, expected=ref_theta, got=new_theta,
                show_values=True,
                hint="increment t before the bias correction: with the old t = 0, 1 - beta1**0 = 0 and you divide "
                     "by zero")
    ex.compare(label, got_step, ref_step, what="the step new_theta - theta", rtol=1e-6,
               atol=_scale_atol(ref_step, 1e-8) + 1e-15 * float(np.max(np.abs(theta), initial=0.0)),
               mistakes=step_mistakes,
               hint=hint or "new_theta = theta - lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - beta1**t), "
                            "v_hat = v / (1 - beta2**t) and t already incremented")


def _run_check(name, answer, decoupled):
    ex = Exercise(name, answer)
    for label, inputs, expected, use_defaults, wd in _runs(decoupled):
        theta, g, m, v, t = (inputs[k] for k in ("theta", "grad", "m", "v", "t"))
        lr, b1, b2, eps = (inputs[k] for k in ("lr", "beta1", "beta2", "eps"))
        args = [theta, g, m, v, t]
        if not use_defaults:
            args += [lr, b1, b2, eps] + ([wd] if decoupled else [])
        result = ex.call(label, *args)
        decay = "decoupled" if decoupled else "none"
        mistakes = {text: _wrong(theta, g, m, v, t, lr, b1, b2, eps, wd, decay=decay, mistake=key)
                    for key, text in ADAM_MISTAKES.items()}
        if decoupled and wd > 0:
            for key, text in ADAMW_DECAY_MISTAKES.items():
                mistakes[text] = _wrong(theta, g, m, v, t, lr, b1, b2, eps, wd, decay=key)
        hint = None
        if use_defaults:
            hint = ("this call leaves the hyperparameters at their defaults, which must be PyTorch's: lr=1e-3, "
                    "beta1=0.9, beta2=0.999, eps=1e-8" + (", weight_decay=1e-2" if decoupled else ""))
            if decoupled:   # first, so that it wins over mistakes that give the same first step
                mistakes = {"the default weight_decay of torch.optim.AdamW is 1e-2, not 0": _wrong(
                    theta, g, m, v, t, lr, b1, b2, eps, 0.0, decay="none"), **mistakes}
        _check_step(ex, label, result, inputs, expected, mistakes, hint=hint)
    ex.passed(" (new_theta, m, v and t at every step)")


def check_adam_step(adam_step):
    """Check ``adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)``.

    Returns must be ``(new_theta, new_m, new_v, new_t)``, the same as one step of
    ``torch.optim.Adam`` (here :class:`lossopt.optim.Adam`) from the state (m, v, t).
    """
    _run_check("adam_step", adam_step, decoupled=False)


def check_adamw_step(adamw_step):
    """Check ``adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2)``.

    Returns must be ``(new_theta, new_m, new_v, new_t)``, the same as one step of
    ``torch.optim.AdamW`` (here :class:`lossopt.optim.AdamW`) from the state (m, v, t).
    """
    _run_check("adamw_step", adamw_step, decoupled=True)
