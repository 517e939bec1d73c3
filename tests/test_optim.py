"""lossopt.optim against the stored torch.optim trajectories in tests/reference/optim.npz.

No torch needed. Each configuration is replayed for 200 steps on a noisy quadratic
whose gradients (``make_reference.quadratic_grad``) are recomputed from lossopt's own
parameters with the stored seeded noise.

Tolerance: float64, ``max|theta - theta_torch| <= 1e-9 * max|theta_torch|`` for the
parameters after each stored step, and the same for every state array after the
last step (norm-wise: relative to the largest entry, since single entries of a
state such as exp_avg can pass through 0). Correct code agrees to about 1e-15; the
mutation tests at the end show that the classic mistakes (eps inside the square
root, t instead of t - 1 in Adagrad's decay, L2 instead of decoupled decay, a
momentum buffer that starts at 0) all fail it.
"""
from __future__ import annotations

import numpy as np
import pytest

import make_reference as ref
from lossopt import optim

RTOL = 1e-9

ARRAYS, META = ref.load(ref.OPTIM_FILE)
CONFIGS = META["configs"]
CHECKPOINTS = META["checkpoints"]
STEPS = META["steps"]


def _problem(name):
    out = {}
    for pname in META["problems"][name]:
        out[pname] = {k: ARRAYS[f"problem::{name}::{pname}::{k}"]
                      for k in ("theta0", "target", "curvature", "noise")}
    return out


def _kwargs(config):
    kw = dict(config["kwargs"])
    if "betas" in kw:
        kw["betas"] = tuple(kw["betas"])
    return kw


def replay(opt, problem, steps=STEPS):
    """Run ``opt`` on the stored problem; returns ({name: stacked checkpoint params}, opt).

    A one-parameter problem is passed as a single array (stored under "param"),
    a larger one as a dict.
    """
    single = list(problem) == [optim.SINGLE]
    params = {n: problem[n]["theta0"].copy() for n in problem}
    traj = {n: [] for n in problem}
    for t in range(1, steps + 1):
        grads = {n: ref.quadratic_grad(problem[n], params[n], t) for n in problem}
        if single:
            params = {optim.SINGLE: opt.step(params[optim.SINGLE], grads[optim.SINGLE])}
        else:
            params = opt.step(params, grads)
        if t in CHECKPOINTS:
            for n in problem:
                traj[n].append(params[n])
    return {n: np.array(v) for n, v in traj.items()}, opt


def test_reference_file_records_its_origin():
    assert META["torch"].startswith("2.13"), META["torch"]
    assert META["steps"] >= 200
    optimizers = {c["optimizer"] for c in CONFIGS}
    assert optimizers == set(optim.__all__) - {"Optimizer"}
    assert any(c["problem"] == "two_params" for c in CONFIGS)


@pytest.mark.parametrize("config", CONFIGS, ids=[c["id"] for c in CONFIGS])
def test_trajectory_and_state_match_torch(config):
    problem = _problem(config["problem"])
    traj, opt = replay(getattr(optim, config["optimizer"])(**_kwargs(config)), problem)
    for name in problem:
        expected = ARRAYS[f"{config['id']}::traj::{name}"]
        for row, step in enumerate(CHECKPOINTS):
            ref.assert_close_normwise(traj[name][row], expected[row], RTOL,
                                      f"{config['id']}: parameter {name!r} after step {step}")
        prefix = f"{config['id']}::state::{name}::"
        torch_keys = {k[len(prefix):] for k in ARRAYS if k.startswith(prefix)}
        state = opt.state[name]
        # lossopt keeps the same state arrays as torch, under the same names (plus always a step count)
        assert set(state) - {"step"} == torch_keys - {"step"}, (set(state), torch_keys)
        assert state["step"] == STEPS
        for key in torch_keys:
            if key == "step":
                assert int(ARRAYS[prefix + key]) == state["step"]
            else:
                ref.assert_close_normwise(state[key], ARRAYS[prefix + key], RTOL,
                                          f"{config['id']}: state[{name!r}][{key!r}] after {STEPS} steps")


def test_step_returns_new_arrays_and_leaves_inputs_alone():
    theta, g = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.5, -1.0])
    theta_copy, g_copy = theta.copy(), g.copy()
    for cls in (optim.SGD, optim.RMSprop, optim.Adagrad, optim.Adam, optim.AdamW):
        kwargs = dict(momentum=0.9, weight_decay=0.1) if cls in (optim.SGD, optim.RMSprop) else dict(weight_decay=0.1)
        opt = cls(lr=0.1, **kwargs)
        new = opt.step(theta, g)
        new2 = opt.step(theta, g)
        assert new is not theta and new2 is not new
        assert not np.shares_memory(new, theta) and not np.shares_memory(new, g)
        for v in opt.state[optim.SINGLE].values():
            if isinstance(v, np.ndarray):
                assert not np.shares_memory(v, new) and not np.shares_memory(v, g) and not np.shares_memory(v, theta)
        np.testing.assert_array_equal(theta, theta_copy)
        np.testing.assert_array_equal(g, g_copy)


def test_first_sgd_momentum_buffer_is_the_gradient_itself():
    opt = optim.SGD(lr=0.1, momentum=0.9, dampening=0.5)
    g = np.array([1.0, -2.0])
    opt.step(np.zeros(2), g)
    np.testing.assert_array_equal(opt.state["param"]["momentum_buffer"], g)   # not (1 - dampening) g
    g[:] = 0.0
    assert opt.state["param"]["momentum_buffer"][0] == 1.0, "the buffer must not alias the caller's gradient"


def test_reset_forgets_the_state_and_restarts_the_trajectory():
    problem = _problem("single")
    first, opt = replay(optim.Adam(lr=0.01), problem, steps=5)
    opt.reset()
    assert opt.state == {}
    again, _ = replay(opt, problem, steps=5)
    np.testing.assert_array_equal(first["param"], again["param"])


def test_hyperparameters_use_torch_names_and_defaults():
    assert optim.SGD().hyperparameters == dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)
    assert optim.RMSprop().hyperparameters == dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                                                   centered=False)
    assert optim.Adagrad().hyperparameters == dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                                                   initial_accumulator_value=0.0, eps=1e-10)
    assert optim.Adam().hyperparameters == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                                                amsgrad=False)
    assert optim.AdamW().hyperparameters["weight_decay"] == 1e-2
    assert repr(optim.Adam(lr=0.5)).startswith("Adam(lr=0.5, betas=(0.9, 0.999)")


def test_float32_and_integer_inputs_are_computed_in_float64():
    opt = optim.SGD(lr=0.5)
    out = opt.step(np.array([1, 2], dtype=np.int64), np.array([1.0, 1.0], dtype=np.float32))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [0.5, 1.5])


# ----------------------------------------------------------------------------
# The tolerance catches the classic mistakes
# ----------------------------------------------------------------------------

def _config(cid):
    return next(c for c in CONFIGS if c["id"] == cid)


def _deviates(config, opt):
    traj, _ = replay(opt, _problem(config["problem"]))
    try:
        for name in traj:
            ref.assert_close_normwise(traj[name], ARRAYS[f"{config['id']}::traj::{name}"], RTOL)
    except AssertionError:
        return True
    return False


class _EpsInsideSqrtRMSprop(optim.RMSprop):
    """Keras/optax: g / sqrt(v + eps)."""

    def _update(self, theta, g, state):
        v = state.setdefault("square_avg", np.zeros_like(theta))
        v *= self.alpha
        v += (1 - self.alpha) * g * g
        return theta - self.lr * g / np.sqrt(v + self.eps)


class _DecayWithTAdagrad(optim.Adagrad):
    """lr / (1 + t * lr_decay) instead of (t - 1)."""

    def _update(self, theta, g, state):
        state["step"] += 1
        try:
            return super()._update(theta, g, state)
        finally:
            state["step"] -= 1


class _ZeroStartSGD(optim.SGD):
    """Momentum buffer starting at 0, so b_1 = (1 - dampening) g."""

    def _update(self, theta, g, state):
        state.setdefault("momentum_buffer", np.zeros_like(theta))
        return super()._update(theta, g, state)


class _DecayAfterStepAdamW(optim.AdamW):
    """The decoupled decay applied after the Adam step instead of before it."""

    def _update(self, theta, g, state):
        wd, self.weight_decay = self.weight_decay, 0.0
        try:
            new = super()._update(theta, g, state)
        finally:
            self.weight_decay = wd
        return new * (1 - self.lr * self.weight_decay)


@pytest.mark.parametrize("cid, make", [
    ("RMSprop_plain", lambda kw: _EpsInsideSqrtRMSprop(**kw)),
    ("Adagrad_lr_decay", lambda kw: _DecayWithTAdagrad(**kw)),
    ("SGD_dampening", lambda kw: _ZeroStartSGD(**kw)),
    ("AdamW_weight_decay", lambda kw: optim.Adam(**kw)),                 # L2 instead of decoupled decay
    ("AdamW_weight_decay", lambda kw: _DecayAfterStepAdamW(**kw)),
    ("Adam_amsgrad", lambda kw: optim.Adam(**{**kw, "amsgrad": False})),
    ("RMSprop_centered", lambda kw: optim.RMSprop(**{**kw, "centered": False})),
], ids=["eps-inside-sqrt", "adagrad-decay-uses-t", "sgd-buffer-starts-at-0", "adamw-as-l2",
        "adamw-decays-after-step", "amsgrad-ignored", "rmsprop-not-centered"])
def test_tolerance_catches_a_classic_mistake(cid, make):
    config = _config(cid)
    assert _deviates(config, make(_kwargs(config)))
