r"""Learning-rate schedules: the learning rate :math:`\eta_t` of step :math:`t`, as formulas.

::

    from lossopt import optim, schedules, train
    schedules.cosine_annealing(0, lr0=0.2, total_steps=176)          # 0.2
    schedules.cosine_annealing(np.arange(176), 0.2, 176)              # every step's rate, for a plot
    opt = schedules.Scheduled(optim.SGD(lr=0.2, momentum=0.9),
                              lambda t: schedules.cosine_annealing(t, 0.2, 176))
    history = train.train(model, opt, X, y, epochs=8, batch_size=64)
    opt.lrs                                                           # the rate each step used

Every schedule is a function ``schedule(step, lr0, ...)`` of the step number
:math:`t = 0, 1, 2, \dots` (the first step is 0, as in PyTorch, whose scheduler is
stepped once per mini-batch after ``optimizer.step()``). ``step`` may be one number
(the result is a float) or an array of them (the result is an array of the same
shape, handy for plotting). Non-integer steps are allowed and give the continuous
curve. Each docstring gives the ``torch.optim.lr_scheduler`` scheduler with the same
numbers; ``tests/test_schedules.py`` compares them with PyTorch over 300 steps to 1e-12.

Every argument is checked; a bad one is a ``ValueError`` that says what is allowed.

:class:`Scheduled` wraps a :mod:`lossopt.optim` optimizer so that it follows a
schedule, and :func:`lr_range_test` finds a peak learning rate (Smith 2017).
"""
from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from . import train
from ._validate import require_number

__all__ = ["inverse_time_decay", "step_decay", "exponential_decay", "cosine_annealing", "warmup_cosine",
           "Scheduled", "lr_range_test", "RangeTest"]


# ---------------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------------

def _steps(step, dtype=None):
    """The step number(s) as an array (of ``dtype``; by default integers stay integers): finite and >= 0."""
    if isinstance(step, (str, bytes)):
        raise ValueError(f"step must be a step number t >= 0 or an array of them, got {step!r}")
    try:
        t = np.asarray(step)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"step could not be turned into an array: {exc}") from None
    if t.dtype.kind not in "iuf":
        raise ValueError(f"step must be a step number t >= 0 (an int, or an array of them), "
                         f"got {step!r} of dtype {t.dtype}")
    bad = ~np.isfinite(t) | (t < 0) if t.dtype.kind == "f" else t < 0
    if np.any(bad):
        value = (t[bad].flat[0] if t.ndim else t).item()
        raise ValueError(f"step must be finite and >= 0 (the first step is t = 0), got {value!r}")
    return t if dtype is None else t.astype(dtype)


def _count(n, name, low):
    """An integer hyperparameter (a number of steps) >= low."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {n!r}")
    return int(n)


def _lr0(lr0):
    return require_number(lr0, "lr0 (the initial learning rate)", low=0.0)


def _lr_min(lr_min, lr0):
    lr_min = require_number(lr_min, "lr_min (the final learning rate)", low=0.0)
    if lr_min > lr0:
        raise ValueError(f"lr_min must lie in [0, lr0] = [0, {lr0:g}] (the rate decays from lr0 down to lr_min), "
                         f"got {lr_min!r}")
    return lr_min


def _like_step(value, step):
    """A float for one step, an array for an array of steps."""
    return float(value) if np.ndim(step) == 0 else np.asarray(value, dtype=float)


# ---------------------------------------------------------------------------------------------
# The schedules
# ---------------------------------------------------------------------------------------------

def inverse_time_decay(step, lr0: float, tau: float):
    r"""Inverse-time ("1/t") decay, lesson 07: :math:`\eta_t = \dfrac{\eta_0}{1 + t/\tau}`.

    The rate halves after :math:`\tau` steps, is a third after :math:`2\tau`, and
    never reaches 0; :math:`\sum_t \eta_t = \infty` and :math:`\sum_t \eta_t^2 < \infty`,
    the Robbins–Monro conditions under which SGD converges.

    PyTorch: ``LambdaLR(opt, lr_lambda=lambda t: 1 / (1 + t / tau))``. Adagrad's
    ``lr_decay`` is the same decay, counted from its step 1: ``inverse_time_decay(t - 1, lr, 1 / lr_decay)``.

    Arguments: ``lr0`` >= 0, ``tau`` > 0 (any real number of steps).
    """
    t = _steps(step)
    lr0 = _lr0(lr0)
    tau = require_number(tau, "tau (the steps until the rate halves)", low=0.0, low_open=True)
    return _like_step(lr0 / (1.0 + t / tau), step)


def step_decay(step, lr0: float, step_size: int, gamma: float = 0.1):
    r"""Step decay: :math:`\eta_t = \eta_0\,\gamma^{\lfloor t/s \rfloor}`, a drop by :math:`\gamma` every :math:`s` steps.

    PyTorch: ``StepLR(opt, step_size=s, gamma=gamma)`` (drops at chosen steps instead:
    ``MultiStepLR(opt, milestones=[...], gamma=gamma)``).

    Arguments: ``lr0`` >= 0, ``step_size`` :math:`s` an integer >= 1, ``gamma`` > 0
    (usually < 1; 0.1 by default, as in PyTorch).
    """
    t = _steps(step)
    lr0 = _lr0(lr0)
    step_size = _count(step_size, "step_size (steps between two drops)", low=1)
    gamma = require_number(gamma, "gamma (the factor of each drop)", low=0.0, low_open=True)
    return _like_step(lr0 * gamma ** (t // step_size), step)


def exponential_decay(step, lr0: float, gamma: float):
    r"""Exponential decay: :math:`\eta_t = \eta_0\,\gamma^{t}`, a factor :math:`\gamma` every step.

    To reach :math:`\eta_0\,r` after :math:`T` steps take :math:`\gamma = r^{1/T}`.
    With :math:`\gamma > 1` the rate grows, as in the learning-rate range test
    (:func:`lr_range_test`).

    PyTorch: ``ExponentialLR(opt, gamma=gamma)``.

    Arguments: ``lr0`` >= 0, ``gamma`` > 0.
    """
    t = _steps(step, float)
    lr0 = _lr0(lr0)
    gamma = require_number(gamma, "gamma (the factor per step)", low=0.0, low_open=True)
    return _like_step(lr0 * gamma ** t, step)


def cosine_annealing(step, lr0: float, total_steps: int, lr_min: float = 0.0):
    r"""Cosine annealing from :math:`\eta_0` to :math:`\eta_{\min}` over :math:`T` steps.

    .. math::
        \eta_t = \eta_{\min} + \tfrac12\,(\eta_0 - \eta_{\min})\left(1 + \cos\frac{\pi t}{T}\right)

    :math:`\eta_0` at :math:`t = 0`, :math:`\eta_{\min}` at :math:`t = T`, flat at both
    ends and steepest at :math:`t = T/2`. After :math:`T` the cosine goes on (back up
    to :math:`\eta_0` at :math:`2T`), exactly as PyTorch's; train for at most :math:`T` steps.

    PyTorch: ``CosineAnnealingLR(opt, T_max=T, eta_min=lr_min)`` (with restarts:
    ``CosineAnnealingWarmRestarts``). Reference: Loshchilov & Hutter (2017), SGDR.

    Arguments: ``lr0`` >= 0, ``total_steps`` :math:`T` an integer >= 1, ``lr_min`` in [0, lr0].
    """
    t = _steps(step, float)
    lr0 = _lr0(lr0)
    T = _count(total_steps, "total_steps (T, the length of the decay)", low=1)
    lr_min = _lr_min(lr_min, lr0)
    return _like_step(lr_min + 0.5 * (lr0 - lr_min) * (1.0 + np.cos(np.pi * t / T)), step)


def warmup_cosine(step, lr0: float, warmup_steps: int, total_steps: int, lr_min: float = 0.0):
    r"""A linear warm-up over :math:`W` steps, then cosine annealing over the remaining :math:`T - W`.

    .. math::
        \eta_t = \begin{cases}
            \eta_0\,\dfrac{t + 1}{W} & t < W \\[1ex]
            \eta_{\min} + \tfrac12\,(\eta_0 - \eta_{\min})\left(1 + \cos\dfrac{\pi\,(t - W)}{T - W}\right) & t \ge W
        \end{cases}

    The ramp reaches :math:`\eta_0` at its last step :math:`t = W - 1`, the cosine
    starts at :math:`\eta_0` at :math:`t = W` and ends at :math:`\eta_{\min}` at :math:`t = T`.
    ``warmup_steps=0`` is plain :func:`cosine_annealing`.

    PyTorch: ``LambdaLR(opt, lr_lambda=lambda t: warmup_cosine(t, 1.0, W, T))`` when
    ``lr_min`` = 0, or in general ``SequentialLR(opt, [LinearLR(opt, start_factor=1/W,
    end_factor=1.0, total_iters=W-1), CosineAnnealingLR(opt, T_max=T-W, eta_min=lr_min)],
    milestones=[W])``. Reference: Goyal et al. (2017), Accurate, large minibatch SGD.

    Arguments: ``lr0`` >= 0, ``warmup_steps`` :math:`W` an integer in [0, T − 1],
    ``total_steps`` :math:`T` an integer >= 1, ``lr_min`` in [0, lr0].
    """
    t = _steps(step, float)
    lr0 = _lr0(lr0)
    T = _count(total_steps, "total_steps (T, warm-up plus decay)", low=1)
    W = _count(warmup_steps, "warmup_steps (W)", low=0)
    if W >= T:
        raise ValueError(f"warmup_steps must be smaller than total_steps = {T} (the cosine needs at least "
                         f"one step), got {warmup_steps!r}")
    ramp = lr0 * np.minimum(1.0, (t + 1.0) / max(W, 1))
    cosine = cosine_annealing(np.maximum(t - W, 0.0), lr0, T - W, lr_min)    # (t < W: not used)
    return _like_step(np.where(t < W, ramp, cosine), step)


# ---------------------------------------------------------------------------------------------
# An optimizer that follows a schedule
# ---------------------------------------------------------------------------------------------

class Scheduled:
    r"""Wrap a :mod:`lossopt.optim` optimizer: before step :math:`t` (0, 1, ...) set its ``lr`` to ``schedule(t)``.

    Every lossopt optimizer reads ``self.lr`` at every step, so this is all a
    schedule needs, and what PyTorch's schedulers do to ``param_groups[i]["lr"]``.
    It has the optimizer interface (``step(params, grads)``, ``state``, ``reset()``),
    so :func:`lossopt.train.train` accepts it; one call of ``step`` is one step of the
    schedule, whatever the number of parameters. ``lrs`` lists the rate of every
    step taken, ``t`` counts them; ``reset()`` forgets both and the optimizer's state.

    ``schedule`` is any function of the step, e.g. ``lambda t: cosine_annealing(t, 0.2, 176)``;
    it must return one finite number >= 0.
    """

    def __init__(self, optimizer, schedule):
        if not all(hasattr(optimizer, name) for name in ("step", "reset", "state", "lr")):
            raise ValueError("optimizer must be a lossopt optimizer (with lr, state, step and reset), "
                             f"got {type(optimizer).__name__}")
        if not callable(schedule):
            raise ValueError(f"schedule must be a function of the step number, e.g. "
                             f"lambda t: cosine_annealing(t, 0.1, 1000); got {schedule!r}")
        self.optimizer, self.schedule = optimizer, schedule
        self.t, self.lrs = 0, []

    @property
    def state(self) -> dict:
        """The wrapped optimizer's per-parameter state."""
        return self.optimizer.state

    def reset(self) -> None:
        """Start again at step 0 and forget the optimizer's state."""
        self.optimizer.reset()
        self.t, self.lrs = 0, []

    def step(self, params, grads):
        """Set ``optimizer.lr = schedule(t)``, take the optimizer's step, return the new parameters."""
        lr = self._lr(self.t)
        self.optimizer.lr = lr
        new = self.optimizer.step(params, grads)
        self.lrs.append(lr)
        self.t += 1
        return new

    def _lr(self, t):
        value = self.schedule(t)
        try:
            lr = float(value) if np.ndim(value) == 0 and not isinstance(value, (str, bytes, bool)) else None
        except (TypeError, ValueError):
            lr = None
        if lr is None or not math.isfinite(lr) or lr < 0:
            raise ValueError(f"schedule({t}) returned {value!r}: a learning rate must be one finite number >= 0")
        return lr

    def __repr__(self):
        name = getattr(self.schedule, "__name__", type(self.schedule).__name__)
        return f"Scheduled({self.optimizer!r}, schedule={name})"


# ---------------------------------------------------------------------------------------------
# Finding the peak: the learning-rate range test
# ---------------------------------------------------------------------------------------------

class RangeTest(NamedTuple):
    """What :func:`lr_range_test` measured, one entry per step taken."""
    lrs: np.ndarray        # the learning rate of every step
    losses: np.ndarray     # the mini-batch loss of every step, before its update
    smoothed: np.ndarray   # the bias-corrected moving average of the losses

    @property
    def best_lr(self) -> float:
        """The learning rate where the smoothed loss is lowest."""
        return float(self.lrs[np.argmin(self.smoothed)])

    @property
    def suggested_lr(self) -> float:
        """The rule of thumb: the learning rate of the lowest smoothed loss, divided by 10."""
        return self.best_lr / 10


def lr_range_test(model, optimizer, X, y, lr_start: float = 1e-4, lr_end: float = 10.0, epochs: int = 5,
                  batch_size: int | None = 64, seed: int = 0, beta: float = 0.9) -> RangeTest:
    r"""The learning-rate range test ("LR finder", Smith 2017): train while the rate grows exponentially.

    Trains ``model`` from ``model.init(seed)`` with :func:`lossopt.train.train` for
    ``epochs`` epochs, :math:`K` steps in all, with the learning rate of step :math:`k`

    .. math::
        \eta_k = \eta_{\text{start}}\left(\frac{\eta_{\text{end}}}{\eta_{\text{start}}}\right)^{k/(K-1)},
        \qquad k = 0, \dots, K - 1

    (:func:`exponential_decay` with :math:`\gamma > 1`), and records the mini-batch
    loss :math:`\ell_k` of every step, smoothed by a bias-corrected moving average
    (as Adam's moments): :math:`s_k = \beta s_{k-1} + (1-\beta)\ell_k`,
    :math:`\hat s_k = s_k / (1 - \beta^{k+1})`. If the training diverges, the steps
    taken until then are returned. Rule of thumb: use the rate where :math:`\hat s` is
    lowest, divided by 10 (``result.suggested_lr``).

    Arguments: ``optimizer`` a :mod:`lossopt.optim` optimizer (its ``lr`` is
    overwritten at every step), ``0 < lr_start < lr_end``, ``epochs`` >= 1 and
    ``batch_size`` as for :func:`lossopt.train.train` (at least 2 steps in all),
    ``beta`` in [0, 1).
    """
    lr_start = require_number(lr_start, "lr_start", low=0.0, low_open=True)
    lr_end = require_number(lr_end, "lr_end", low=lr_start, low_open=True)
    epochs = _count(epochs, "epochs", low=1)
    beta = require_number(beta, "beta", low=0.0, high=1.0, high_open=True)
    n = len(X)
    per_epoch = 1 if batch_size is None else math.ceil(n / _count(batch_size, "batch_size", low=1))
    K = epochs * per_epoch
    if K < 2:
        raise ValueError(f"the range test needs at least 2 steps, got epochs={epochs} x {per_epoch} steps per epoch")
    gamma = (lr_end / lr_start) ** (1 / (K - 1))
    scheduled = Scheduled(optimizer, lambda t: exponential_decay(t, lr_start, gamma))
    history = train.train(model, scheduled, X, y, epochs=epochs, batch_size=batch_size, seed=seed)
    losses = history.step_loss
    smoothed = np.empty_like(losses)
    average = 0.0
    for k, loss in enumerate(losses):
        average = beta * average + (1 - beta) * loss       # s_k = beta s_{k-1} + (1 - beta) l_k
        smoothed[k] = average / (1 - beta ** (k + 1))      # bias correction
    return RangeTest(np.array(scheduled.lrs[:len(losses)]), losses, smoothed)
