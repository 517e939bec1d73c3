"""lossopt.schedules: the learning-rate schedules, the Scheduled wrapper and the range test.

- Live against ``torch.optim.lr_scheduler`` (the ``torch`` fixture: skipped without torch
  unless LOSSOPT_REQUIRE_TORCH=1): the rate of each of 300 steps, read from
  ``param_groups[0]["lr"]`` before ``optimizer.step()`` and then ``scheduler.step()``,
  within ``1e-12 * max(|eta_torch|, lr0)``; and a whole SGD trajectory under a schedule.
- Closed-form values that need no torch: step 0, the drops of step decay, the end of
  the cosine, the linear warm-up, monotonicity.
- The definitions lesson 12 used before they moved here give the same numbers, bit for bit.
- Bad arguments are ValueErrors that say what is allowed.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from lossopt import data, models, optim, schedules, train
from lossopt.schedules import (RangeTest, Scheduled, cosine_annealing, exponential_decay, inverse_time_decay,
                               lr_range_test, step_decay, warmup_cosine)

STEPS = np.arange(300)
TOL = 1e-12


# ----------------------------------------------------------------------------
# Live comparison with torch.optim.lr_scheduler
# ----------------------------------------------------------------------------

def torch_lrs(torch, make_scheduler, lr0, n=len(STEPS)):
    """The learning rate of each of n steps under a torch scheduler (stepped after optimizer.step())."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr0)
    scheduler = make_scheduler(torch.optim.lr_scheduler, opt)
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(out)


# (name, lossopt schedule of t, torch scheduler factory (lr_scheduler, opt) -> scheduler, lr0)
TORCH_CASES = [
    ("inverse_time lr0=0.1 tau=50", lambda t: inverse_time_decay(t, 0.1, 50),
     lambda L, o: L.LambdaLR(o, lr_lambda=lambda t: 1 / (1 + t / 50)), 0.1),
    ("inverse_time lr0=0.003 tau=2.5", lambda t: inverse_time_decay(t, 0.003, 2.5),
     lambda L, o: L.LambdaLR(o, lr_lambda=lambda t: 1 / (1 + t / 2.5)), 0.003),
    ("step lr0=0.2 s=88 gamma=0.1", lambda t: step_decay(t, 0.2, 88, 0.1),
     lambda L, o: L.StepLR(o, step_size=88, gamma=0.1), 0.2),
    ("step lr0=1 s=30 gamma=0.5", lambda t: step_decay(t, 1.0, 30, 0.5),
     lambda L, o: L.StepLR(o, step_size=30, gamma=0.5), 1.0),
    ("step lr0=0.05 s=1 gamma=0.9", lambda t: step_decay(t, 0.05, 1, 0.9),
     lambda L, o: L.StepLR(o, step_size=1, gamma=0.9), 0.05),
    ("step lr0=0.3 s=7 default gamma", lambda t: step_decay(t, 0.3, 7),
     lambda L, o: L.StepLR(o, step_size=7), 0.3),
    ("exponential lr0=0.2 gamma=0.97", lambda t: exponential_decay(t, 0.2, 0.97),
     lambda L, o: L.ExponentialLR(o, gamma=0.97), 0.2),
    ("exponential lr0=1 gamma=0.99", lambda t: exponential_decay(t, 1.0, 0.99),
     lambda L, o: L.ExponentialLR(o, gamma=0.99), 1.0),
    ("exponential growing lr0=1e-4 gamma=1.05", lambda t: exponential_decay(t, 1e-4, 1.05),
     lambda L, o: L.ExponentialLR(o, gamma=1.05), 1e-4),
    ("cosine lr0=0.2 T=176", lambda t: cosine_annealing(t, 0.2, 176),
     lambda L, o: L.CosineAnnealingLR(o, T_max=176), 0.2),
    ("cosine lr0=1 T=100 lr_min=0.01 (past T)", lambda t: cosine_annealing(t, 1.0, 100, 0.01),
     lambda L, o: L.CosineAnnealingLR(o, T_max=100, eta_min=0.01), 1.0),
    ("cosine lr0=0.5 T=300 lr_min=0.1", lambda t: cosine_annealing(t, 0.5, 300, lr_min=0.1),
     lambda L, o: L.CosineAnnealingLR(o, T_max=300, eta_min=0.1), 0.5),
    ("cosine T=1", lambda t: cosine_annealing(t, 0.1, 1),
     lambda L, o: L.CosineAnnealingLR(o, T_max=1), 0.1),
    ("warmup_cosine W=16 T=176 as LambdaLR", lambda t: warmup_cosine(t, 0.2, 16, 176),
     lambda L, o: L.LambdaLR(o, lr_lambda=lambda t: warmup_cosine(t, 1.0, 16, 176)), 0.2),
    ("warmup_cosine W=0 is CosineAnnealingLR", lambda t: warmup_cosine(t, 0.2, 0, 176),
     lambda L, o: L.CosineAnnealingLR(o, T_max=176), 0.2),
]
for W, T, lr_min, lr0 in [(16, 176, 0.0, 0.2), (1, 176, 0.0, 0.2), (5, 100, 0.01, 1.0), (30, 300, 0.05, 0.5)]:
    TORCH_CASES.append((
        f"warmup_cosine W={W} T={T} lr_min={lr_min} as SequentialLR",
        lambda t, W=W, T=T, m=lr_min, lr0=lr0: warmup_cosine(t, lr0, W, T, lr_min=m),
        lambda L, o, W=W, T=T, m=lr_min: L.SequentialLR(
            o, [L.LinearLR(o, start_factor=1 / W, end_factor=1.0, total_iters=W - 1),
                L.CosineAnnealingLR(o, T_max=T - W, eta_min=m)], milestones=[W]),
        lr0))


@pytest.mark.torch
@pytest.mark.parametrize("name, schedule, make_scheduler, lr0", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_every_rate_matches_torch_over_300_steps(torch, name, schedule, make_scheduler, lr0):
    expected = torch_lrs(torch, make_scheduler, lr0)
    got = schedule(STEPS)
    assert got.shape == expected.shape and got.dtype == np.float64
    scale = np.maximum(np.abs(expected), lr0)
    assert np.all(np.abs(got - expected) <= TOL * scale), np.max(np.abs(got - expected) / scale)
    # one step at a time (as Scheduled calls it): the same numbers, up to numpy's vectorised
    # pow/cos, which can differ from the scalar ones in the last bit
    one_by_one = np.array([schedule(int(t)) for t in STEPS])
    assert np.all(np.abs(one_by_one - expected) <= TOL * scale)
    assert np.allclose(one_by_one, got, rtol=4.5e-16, atol=0)


@pytest.mark.torch
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_scheduled_sgd_follows_torch_sgd_with_a_scheduler(torch, momentum):
    """The parameters, not just the rates: lossopt's Scheduled(SGD) against torch's SGD + SequentialLR."""
    rng = np.random.default_rng(3)
    h = np.geomspace(0.05, 1.0, 6)                       # a quadratic with noisy gradients
    noise = rng.standard_normal((200, 6))
    theta0 = rng.standard_normal(6) * 3
    W, T, lr0 = 20, 200, 0.5

    opt = Scheduled(optim.SGD(lr=lr0, momentum=momentum), lambda t: warmup_cosine(t, lr0, W, T, lr_min=0.01))
    theta, ours = theta0, []
    for k in range(200):
        theta = opt.step(theta, h * theta + noise[k])
        ours.append(theta)

    p = torch.nn.Parameter(torch.tensor(theta0))
    t_opt = torch.optim.SGD([p], lr=lr0, momentum=momentum)
    L = torch.optim.lr_scheduler
    sched = L.SequentialLR(t_opt, [L.LinearLR(t_opt, start_factor=1 / W, end_factor=1.0, total_iters=W - 1),
                                   L.CosineAnnealingLR(t_opt, T_max=T - W, eta_min=0.01)], milestones=[W])
    theirs = []
    for k in range(200):
        p.grad = torch.tensor(h) * p.detach() + torch.tensor(noise[k])
        t_opt.step()
        sched.step()
        theirs.append(p.detach().numpy().copy())
    ours, theirs = np.array(ours), np.array(theirs)
    assert np.max(np.abs(ours - theirs)) <= 1e-12 * np.max(np.abs(theirs))
    if momentum:
        assert np.allclose(opt.state["param"]["momentum_buffer"], t_opt.state[p]["momentum_buffer"].numpy(),
                           rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------
# Closed-form values (no torch needed)
# ----------------------------------------------------------------------------

def test_every_schedule_starts_at_lr0():
    assert inverse_time_decay(0, 0.1, 50) == 0.1
    assert step_decay(0, 0.1, 10, 0.5) == 0.1
    assert exponential_decay(0, 0.1, 0.9) == 0.1
    assert cosine_annealing(0, 0.1, 100, 0.01) == 0.1
    assert warmup_cosine(0, 0.1, 0, 100) == 0.1
    assert warmup_cosine(0, 0.1, 4, 100) == 0.1 / 4           # the ramp's first step


def test_inverse_time_decay_halves_after_tau_steps():
    assert inverse_time_decay(50, 0.1, 50) == pytest.approx(0.05, rel=1e-15)
    assert inverse_time_decay(100, 0.1, 50) == pytest.approx(0.1 / 3, rel=1e-15)
    assert inverse_time_decay(2.5, 1.0, 2.5) == 0.5            # tau need not be an integer
    rates = inverse_time_decay(STEPS, 0.1, 7)
    assert np.all(np.diff(rates) < 0) and np.all(rates > 0)


def test_step_decay_drops_exactly_at_multiples_of_step_size():
    s, lr0, gamma = 30, 0.8, 0.5
    for k in range(4):
        assert step_decay(k * s, lr0, s, gamma) == pytest.approx(lr0 * gamma ** k, rel=1e-15)    # a drop at k s
        assert step_decay(k * s + s - 1, lr0, s, gamma) == step_decay(k * s, lr0, s, gamma)   # flat until (k+1) s - 1
    rates = step_decay(STEPS, lr0, s, gamma)
    assert len(np.unique(rates)) == 10 and np.all(np.diff(rates) <= 0)
    assert np.flatnonzero(np.diff(rates)).tolist() == [s * k - 1 for k in range(1, 10)]
    assert step_decay(45, 1.0, 30) == pytest.approx(0.1)            # gamma 0.1 by default, as in torch


def test_exponential_decay_reaches_the_target_fraction():
    T, r = 176, 0.01
    rates = exponential_decay(STEPS, 1.0, r ** (1 / T))
    assert rates[T] == pytest.approx(r, rel=1e-12)
    assert np.allclose(rates[1:] / rates[:-1], r ** (1 / T), rtol=1e-13)   # a constant factor per step
    assert exponential_decay(10, 1e-4, 10.0) == pytest.approx(1e6, rel=1e-14)   # gamma > 1 grows


@pytest.mark.parametrize("lr0, T, lr_min", [(0.2, 176, 0.0), (1.0, 100, 0.01), (0.5, 7, 0.5), (0.1, 1, 0.0)])
def test_cosine_annealing_ends_at_lr_min_and_is_halfway_at_half_time(lr0, T, lr_min):
    assert cosine_annealing(T, lr0, T, lr_min) == pytest.approx(lr_min, abs=1e-16)
    assert cosine_annealing(T / 2, lr0, T, lr_min) == pytest.approx((lr0 + lr_min) / 2, rel=1e-15)
    rates = cosine_annealing(np.arange(T + 1), lr0, T, lr_min)
    assert np.all(np.diff(rates) <= 0) and rates.min() >= lr_min - 1e-16
    # symmetric about T/2: the drop over the first k steps equals the rise-back to lr_min over the last k
    assert np.allclose(rates + rates[::-1], lr0 + lr_min, rtol=0, atol=1e-15)
    # past T the cosine goes on, back up to lr0 at 2T (as torch's CosineAnnealingLR)
    assert cosine_annealing(2 * T, lr0, T, lr_min) == pytest.approx(lr0, rel=1e-15)


def test_cosine_is_flat_at_both_ends_and_steepest_in_the_middle():
    T = 100
    drops = -np.diff(cosine_annealing(np.arange(T + 1), 1.0, T))
    assert np.argmax(drops) in (49, 50)
    assert drops[0] < 0.02 * drops.max() and drops[-1] < 0.02 * drops.max()     # about 1.6 % of the largest drop


@pytest.mark.parametrize("W, T, lr_min", [(16, 176, 0.0), (1, 50, 0.0), (5, 100, 0.01), (40, 41, 0.0)])
def test_warmup_is_a_linear_ramp_then_the_cosine(W, T, lr_min):
    lr0 = 0.2
    rates = warmup_cosine(np.arange(T + 1), lr0, W, T, lr_min)
    ramp = rates[:W]
    assert np.allclose(ramp, lr0 * np.arange(1, W + 1) / W, rtol=1e-15, atol=0)   # lr0 (t + 1) / W
    assert np.allclose(np.diff(ramp), lr0 / W, rtol=1e-12)                        # equal increments
    assert rates[W - 1] == pytest.approx(lr0, rel=1e-15) and rates[W] == lr0       # at the peak twice
    assert np.array_equal(rates[W:], cosine_annealing(np.arange(T - W + 1), lr0, T - W, lr_min))
    assert rates[T] == pytest.approx(lr_min, abs=1e-16)
    assert np.all(np.diff(rates[:W]) > 0) and np.all(np.diff(rates[W:]) <= 0)


def test_no_warmup_is_plain_cosine():
    assert np.array_equal(warmup_cosine(STEPS, 0.3, 0, 176, 0.003), cosine_annealing(STEPS, 0.3, 176, 0.003))


ALL = [
    lambda t: inverse_time_decay(t, 0.1, 13),
    lambda t: step_decay(t, 0.1, 13, 0.5),
    lambda t: exponential_decay(t, 0.1, 0.98),
    lambda t: cosine_annealing(t, 0.1, 130, 0.001),
    lambda t: warmup_cosine(t, 0.1, 13, 130, 0.001),
]
NAMES = ["inverse_time", "step", "exponential", "cosine", "warmup_cosine"]


@pytest.mark.parametrize("schedule", ALL, ids=NAMES)
def test_scalars_give_floats_and_arrays_give_arrays_of_their_shape(schedule):
    assert type(schedule(3)) is float and type(schedule(np.int64(3))) is float and type(schedule(3.5)) is float
    grid = np.arange(24).reshape(4, 6)
    out = schedule(grid)
    assert isinstance(out, np.ndarray) and out.shape == (4, 6) and out.dtype == np.float64
    # element by element the same numbers (to the last bit or so: numpy's vectorised pow and cos
    # may round differently from the scalar ones)
    assert np.allclose(out.ravel(), [schedule(int(t)) for t in grid.ravel()], rtol=4.5e-16, atol=0)
    assert np.allclose(schedule([0, 1, 2]), [schedule(0), schedule(1), schedule(2)], rtol=4.5e-16, atol=0)
    assert np.array_equal(schedule(np.arange(24.0)), schedule(np.arange(24)))      # float steps, same numbers
    assert schedule(np.array([], dtype=int)).shape == (0,)


@pytest.mark.parametrize("schedule", ALL, ids=NAMES)
def test_inputs_are_not_modified(schedule):
    t = np.arange(10)
    schedule(t)
    assert np.array_equal(t, np.arange(10))


# ----------------------------------------------------------------------------
# The definitions lesson 12 had inline before they moved here: same numbers, bit for bit
# ----------------------------------------------------------------------------

def _lesson12_step_decay(t, lr0, step_size, gamma=0.1):
    return lr0 * gamma ** (np.asarray(t) // step_size)


def _lesson12_exponential_decay(t, lr0, gamma):
    return lr0 * gamma ** np.asarray(t, dtype=float)


def _lesson12_cosine_annealing(t, lr0, total, lr_min=0.0):
    return lr_min + 0.5 * (lr0 - lr_min) * (1.0 + np.cos(np.pi * np.asarray(t, dtype=float) / total))


def _lesson12_warmup_cosine(t, lr0, warmup, total, lr_min=0.0):
    t = np.asarray(t, dtype=float)
    ramp = lr0 * np.minimum(1.0, (t + 1.0) / max(warmup, 1))
    with np.errstate(all="ignore"):
        return np.where(t < warmup, ramp, _lesson12_cosine_annealing(t - warmup, lr0, total - warmup, lr_min))


@pytest.mark.parametrize("steps", [STEPS, np.linspace(0, 299, 997)], ids=["integer steps", "float steps"])
def test_same_numbers_as_lesson_12s_definitions(steps):
    cases = [
        (step_decay, _lesson12_step_decay, [(1.0, 88, 0.1), (0.2, 22, 0.1), (1.0, 59, math.sqrt(0.01))]),
        (exponential_decay, _lesson12_exponential_decay, [(1.0, 0.01 ** (1 / 176)), (1e-4, (1e5) ** (1 / 109))]),
        (cosine_annealing, _lesson12_cosine_annealing, [(1.0, 176), (0.2, 88), (1.0, 136, 0.01), (0.2, 60)]),
        (warmup_cosine, _lesson12_warmup_cosine, [(1.0, 16, 176), (0.2, 15, 60), (1.0, 40, 176, 0.01)]),
    ]
    for ours, theirs, argsets in cases:
        for args in argsets:
            assert np.array_equal(ours(steps, *args), theirs(steps, *args)), (ours.__name__, args)
            assert ours(int(steps[7]), *args) == theirs(int(steps[7]), *args)


# ----------------------------------------------------------------------------
# Bad arguments
# ----------------------------------------------------------------------------

BAD = [
    (inverse_time_decay, (-1, 0.1, 10), "step must be finite and >= 0"),
    (inverse_time_decay, (np.array([0, 1, -2]), 0.1, 10), "got -2"),
    (inverse_time_decay, (float("nan"), 0.1, 10), "finite"),
    (inverse_time_decay, ("3", 0.1, 10), "step must be a step number"),
    (inverse_time_decay, (np.array([True]), 0.1, 10), "step must be a step number"),
    (inverse_time_decay, ([[0, 1], [2]], 0.1, 10), "could not be turned into an array"),
    (inverse_time_decay, (1, -0.1, 10), r"lr0 \(the initial learning rate\) must lie in \[0, inf\)"),
    (inverse_time_decay, (1, 0.1, 0), r"tau .* must lie in \(0, inf\)"),
    (inverse_time_decay, (1, 0.1, None), "tau .* must be a real number"),
    (step_decay, (1, 0.1, 0, 0.1), r"step_size .* must be an integer >= 1, got 0"),
    (step_decay, (1, 0.1, 2.5, 0.1), r"step_size .* must be an integer >= 1, got 2.5"),
    (step_decay, (1, 0.1, True, 0.1), "step_size .* must be an integer"),
    (step_decay, (1, 0.1, 10, 0.0), r"gamma .* must lie in \(0, inf\)"),
    (step_decay, (1, float("inf"), 10), "lr0 .* must be finite"),
    (exponential_decay, (1, 0.1, -0.5), r"gamma .* must lie in \(0, inf\)"),
    (exponential_decay, (1, "0.1", 0.5), "lr0 .* must be a real number"),
    (cosine_annealing, (1, 0.1, 0), r"total_steps .* must be an integer >= 1, got 0"),
    (cosine_annealing, (1, 0.1, 100.0), "total_steps .* must be an integer"),
    (cosine_annealing, (1, 0.1, 100, 0.2), r"lr_min must lie in \[0, lr0\] = \[0, 0.1\]"),
    (cosine_annealing, (1, 0.1, 100, -0.01), r"lr_min .* must lie in \[0, inf\)"),
    (warmup_cosine, (1, 0.1, 100, 100), "warmup_steps must be smaller than total_steps = 100"),
    (warmup_cosine, (1, 0.1, -1, 100), r"warmup_steps \(W\) must be an integer >= 0"),
    (warmup_cosine, (1, 0.1, 10, 0), r"total_steps .* must be an integer >= 1"),
    (warmup_cosine, (1, 0.1, 10, 100, 1.0), r"lr_min must lie in \[0, lr0\]"),
    (warmup_cosine, (-5, 0.1, 10, 100), "step must be finite and >= 0"),
]


@pytest.mark.parametrize("function, args, match", BAD, ids=[f"{f.__name__}{a}" for f, a, _ in BAD])
def test_bad_arguments_say_what_is_allowed(function, args, match):
    with pytest.raises(ValueError, match=match):
        function(*args)


def test_edge_values_that_are_allowed():
    assert cosine_annealing(5, 0.1, 10, lr_min=0.1) == 0.1              # lr_min = lr0: a constant
    assert warmup_cosine(0, 0.1, 9, 10) == pytest.approx(0.1 / 9)      # the longest warm-up
    assert step_decay(5, 0.0, 1) == 0.0 and inverse_time_decay(3, 0, 1) == 0.0   # lr0 = 0
    assert step_decay(10, 1.0, 5, 2.0) == 4.0                           # gamma > 1 is allowed
    assert inverse_time_decay(np.uint8(3), 1.0, np.float64(1.0)) == 0.25


# ----------------------------------------------------------------------------
# Scheduled
# ----------------------------------------------------------------------------

def _quadratic_run(opt, steps=40, seed=0, as_dict=False):
    """Parameters after each step on a noisy quadratic (gradients depend on the parameters)."""
    rng = np.random.default_rng(seed)
    h = np.geomspace(0.1, 1.0, 5)
    theta = rng.standard_normal(5)
    noise = rng.standard_normal((steps, 5))
    out = []
    for k in range(steps):
        if as_dict:
            params = {"w": theta[:3], "b": theta[3:]}
            g = h * theta + noise[k]
            new = opt.step(params, {"w": g[:3], "b": g[3:]})
            theta = np.concatenate([new["w"], new["b"]])
        else:
            theta = opt.step(theta, h * theta + noise[k])
        out.append(theta)
    return np.array(out)


@pytest.mark.parametrize("as_dict", [False, True])
@pytest.mark.parametrize("make", [lambda: optim.SGD(lr=0.3), lambda: optim.SGD(lr=0.3, momentum=0.9, nesterov=True),
                                  lambda: optim.Adam(lr=0.3)], ids=["SGD", "Nesterov", "Adam"])
def test_a_constant_schedule_is_the_plain_optimizer_exactly(make, as_dict):
    plain = _quadratic_run(make(), as_dict=as_dict)
    wrapped = _quadratic_run(Scheduled(make(), lambda t: 0.3), as_dict=as_dict)
    assert np.array_equal(plain, wrapped)


@pytest.mark.parametrize("as_dict", [False, True])
def test_the_rate_is_set_before_every_step_as_in_a_hand_loop(as_dict):
    schedule = lambda t: warmup_cosine(t, 0.4, 5, 40, lr_min=0.01)    # noqa: E731
    scheduled = Scheduled(optim.SGD(lr=123.0, momentum=0.9), schedule)
    ours = _quadratic_run(scheduled, as_dict=as_dict)

    class HandLoop:                                   # set lr by hand, then step: what Scheduled must do
        def __init__(self):
            self.opt, self.t = optim.SGD(lr=123.0, momentum=0.9), 0

        def step(self, params, grads):
            self.opt.lr = schedule(self.t)
            self.t += 1
            return self.opt.step(params, grads)

    assert np.array_equal(ours, _quadratic_run(HandLoop(), as_dict=as_dict))
    assert scheduled.t == 40 and scheduled.lrs == [schedule(t) for t in range(40)]
    assert scheduled.optimizer.lr == schedule(39)
    assert scheduled.state is scheduled.optimizer.state and scheduled.state[("w" if as_dict else "param")]["step"] == 40
    # a per-step schedule, not per parameter: a dict of two parameters takes one rate per step
    assert len(scheduled.lrs) == 40


def test_reset_starts_the_schedule_and_the_optimizer_again():
    scheduled = Scheduled(optim.Adam(lr=0.1), lambda t: step_decay(t, 0.1, 10, 0.5))
    first = _quadratic_run(scheduled, steps=25)
    scheduled.reset()
    assert scheduled.t == 0 and scheduled.lrs == [] and scheduled.state == {}
    assert np.array_equal(_quadratic_run(scheduled, steps=25), first)
    assert "Scheduled(Adam(lr=0.1" in repr(scheduled) and "schedule=<lambda>" in repr(scheduled)


def test_wrapping_keeps_the_optimizers_state():
    opt = optim.SGD(lr=0.1, momentum=0.9)
    opt.step(np.ones(3), np.ones(3))
    scheduled = Scheduled(opt, lambda t: 0.1)
    assert scheduled.state["param"]["step"] == 1 and scheduled.t == 0


def test_a_failed_step_does_not_advance_the_schedule():
    scheduled = Scheduled(optim.SGD(lr=0.1), lambda t: 0.1 / (t + 1))
    with pytest.raises(ValueError, match="shape"):
        scheduled.step(np.zeros(3), np.zeros(2))
    assert scheduled.t == 0 and scheduled.lrs == []
    scheduled.step(np.zeros(3), np.ones(3))
    assert scheduled.lrs == [0.1]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -0.1, np.array([0.1, 0.2]), "0.1", None])
def test_a_schedule_must_return_one_finite_rate(value):
    scheduled = Scheduled(optim.SGD(lr=0.1), lambda t: value)
    with pytest.raises(ValueError, match=r"schedule\(0\) returned .*: a learning rate must be one finite number >= 0"):
        scheduled.step(np.zeros(2), np.ones(2))
    assert scheduled.t == 0


def test_scheduled_rejects_what_is_not_an_optimizer_or_a_schedule():
    with pytest.raises(ValueError, match="optimizer must be a lossopt optimizer"):
        Scheduled(lambda p, g: p, lambda t: 0.1)
    with pytest.raises(ValueError, match="schedule must be a function of the step number"):
        Scheduled(optim.SGD(lr=0.1), 0.1)


def _blobs():
    X, y = data.multi_class(n=150, classes=3, seed=0)
    return X, y


def test_scheduled_trains_with_train_train():
    X, y = _blobs()
    model = models.MLP([2, 8, 3])
    plain = train.train(model, optim.SGD(lr=0.2, momentum=0.9), X, y, epochs=4, batch_size=32, seed=1)
    constant = train.train(model, Scheduled(optim.SGD(lr=0.2, momentum=0.9), lambda t: 0.2), X, y,
                           epochs=4, batch_size=32, seed=1)
    assert all(np.array_equal(plain.params[k], constant.params[k]) for k in plain.params)
    assert np.array_equal(plain.step_loss, constant.step_loss)

    total = 4 * math.ceil(150 / 32)
    scheduled = Scheduled(optim.SGD(lr=0.2, momentum=0.9), lambda t: cosine_annealing(t, 0.2, total))
    h = train.train(model, scheduled, X, y, epochs=4, batch_size=32, seed=1)
    assert not h.diverged and h.final_loss < h.epoch_loss[0]
    assert scheduled.lrs == [cosine_annealing(t, 0.2, total) for t in range(total)]
    assert "Scheduled(SGD(" in h.optimizer
    # train() resets the wrapper: a second run starts the schedule again and repeats the first
    again = train.train(model, scheduled, X, y, epochs=4, batch_size=32, seed=1)
    assert np.array_equal(again.step_loss, h.step_loss) and len(scheduled.lrs) == total
    # the same run by hand: the epochs of train(), the rate of each step set before it
    opt, params, rng = optim.SGD(lr=0.2, momentum=0.9), model.init(1), np.random.default_rng(1)
    t = 0
    for _ in range(4):
        for batch in train.iterate_minibatches(150, 32, seed=rng):
            _, g = model.loss_and_grad(params, X[batch], y[batch])
            opt.lr = cosine_annealing(t, 0.2, total)
            params = opt.step(params, g)
            t += 1
    assert all(np.array_equal(h.params[k], params[k]) for k in params)


# ----------------------------------------------------------------------------
# The learning-rate range test
# ----------------------------------------------------------------------------

def test_range_test_rates_losses_and_smoothing():
    X, y = _blobs()
    model = models.MLP([2, 8, 3])
    result = lr_range_test(model, optim.SGD(lr=0.1, momentum=0.9), X, y, lr_start=1e-3, lr_end=30.0,
                           epochs=6, batch_size=25, seed=2)
    assert isinstance(result, RangeTest)
    lrs, losses, smoothed = result                      # unpacks like a tuple
    K = 6 * 6
    assert len(lrs) == len(losses) == len(smoothed) <= K
    assert lrs[0] == 1e-3
    assert np.allclose(lrs[1:] / lrs[:-1], (30.0 / 1e-3) ** (1 / (K - 1)), rtol=1e-12)
    # the losses are those of train() under the same exponential schedule
    gamma = (30.0 / 1e-3) ** (1 / (K - 1))
    h = train.train(model, Scheduled(optim.SGD(lr=0.1, momentum=0.9), lambda t: exponential_decay(t, 1e-3, gamma)),
                    X, y, epochs=6, batch_size=25, seed=2)
    assert np.array_equal(losses, h.step_loss)
    # bias-corrected moving average: the first value is the first loss; a constant stays constant
    assert smoothed[0] == pytest.approx(losses[0], rel=1e-15)
    s, beta = 0.0, 0.9
    for k, loss in enumerate(losses):
        s = beta * s + (1 - beta) * loss
        assert smoothed[k] == pytest.approx(s / (1 - beta ** (k + 1)), rel=1e-14)
    assert result.best_lr == lrs[np.argmin(smoothed)] and result.suggested_lr == result.best_lr / 10


def test_range_test_stops_with_the_steps_taken_when_training_diverges():
    X, y = _blobs()
    model = models.MLP([2, 8, 3])
    result = lr_range_test(model, optim.SGD(lr=0.1, momentum=0.9), X, y, lr_start=1e-2, lr_end=1e100,
                           epochs=4, batch_size=25, seed=0)
    assert len(result.losses) < 24 and len(result.lrs) == len(result.losses)
    assert np.all(np.isfinite(result.smoothed))


@pytest.mark.parametrize("kwargs, match", [
    (dict(lr_start=0.0), r"lr_start must lie in \(0, inf\)"),
    (dict(lr_start=1.0, lr_end=0.5), r"lr_end must lie in \(1, inf\)"),
    (dict(epochs=0), "epochs must be an integer >= 1"),
    (dict(epochs=1, batch_size=None), "at least 2 steps"),
    (dict(beta=1.0), r"beta must lie in \[0, 1\)"),
    (dict(batch_size=0), "batch_size must be an integer >= 1"),
])
def test_range_test_bad_arguments(kwargs, match):
    X, y = _blobs()
    with pytest.raises(ValueError, match=match):
        lr_range_test(models.MLP([2, 4, 3]), optim.SGD(lr=0.1), X, y, **kwargs)


def test_public_names():
    assert set(schedules.__all__) == {"inverse_time_decay", "step_decay", "exponential_decay", "cosine_annealing",
                                      "warmup_cosine", "Scheduled", "lr_range_test", "RangeTest"}
    for name in ("inverse_time_decay", "step_decay", "exponential_decay", "cosine_annealing", "warmup_cosine"):
        doc = getattr(schedules, name).__doc__
        assert "PyTorch" in doc and "LR(" in doc and "\\" in doc, name     # the formula and the torch equivalent
