"""Live comparisons with PyTorch and scikit-learn on fresh random inputs.

Skipped when torch / scikit-learn are not installed (a learner's ``make test``
relies on the stored values in tests/reference/ instead); with
LOSSOPT_REQUIRE_TORCH=1, as in CI, a missing torch is a failure, not a skip.

Tolerances as in the stored comparisons (float64): losses elementwise relative
1e-10, optimizer parameters and every state array ``max|a - b| <= 1e-9 max|b|``
after every single step.
"""
from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

import make_reference as ref
from lossopt import losses, optim

pytestmark = pytest.mark.torch

LOSS_RTOL = 1e-10
OPTIM_RTOL = 1e-9
SEEDS = [11, 12, 13]


# ----------------------------------------------------------------------------
# The stored reference is what torch / sklearn give today
# ----------------------------------------------------------------------------

def test_stored_loss_reference_matches_live_torch_and_sklearn(torch, sklearn_metrics):
    stored, stored_meta = ref.load(ref.LOSSES_FILE)
    fresh, fresh_meta = ref.build_losses(torch, sklearn_metrics)
    assert stored_meta["cases"] == json.loads(json.dumps(fresh_meta["cases"]))
    assert ref.compare_stored(stored, fresh) == []


def test_stored_optimizer_reference_matches_live_torch(torch):
    stored, stored_meta = ref.load(ref.OPTIM_FILE)
    fresh, fresh_meta = ref.build_optim(torch)
    assert stored_meta["configs"] == json.loads(json.dumps(fresh_meta["configs"]))   # tuples -> lists
    assert ref.compare_stored(stored, fresh) == []


# ----------------------------------------------------------------------------
# Losses on fresh inputs
# ----------------------------------------------------------------------------

def _shape(rng):
    return tuple(int(d) for d in rng.integers(1, 9, size=rng.integers(1, 3)))


def _fresh_loss_case(kind, rng):
    """(lossopt function name, inputs, lossopt kwargs, torch function, torch kwargs, scale)."""
    F = "torch.nn.functional."
    if kind in ("mse", "mae"):
        shape = _shape(rng)
        p, t = rng.normal(0, 3, shape), rng.normal(0, 3, shape)
        p.flat[0] = t.flat[0]
        return kind, [p, t], {}, F + ("mse_loss" if kind == "mse" else "l1_loss"), {}, 1.0
    if kind == "huber":
        shape = _shape(rng)
        delta = float(rng.uniform(0.05, 3.0))
        return kind, [rng.normal(0, 2, shape), rng.normal(0, 2, shape)], dict(delta=delta), \
            F + "huber_loss", dict(delta=delta), 1.0
    if kind == "binary_cross_entropy":
        shape = _shape(rng)
        p = rng.uniform(0, 1, shape)
        p.flat[rng.integers(p.size)] = rng.choice([0.0, 1.0])
        y = rng.uniform(0, 1, shape) if rng.random() < 0.5 else rng.integers(0, 2, shape).astype(float)
        return kind, [p, y], {}, F + "binary_cross_entropy", {}, 1.0
    if kind == "binary_cross_entropy_with_logits":
        shape = _shape(rng)
        z = rng.normal(0, 10.0 ** rng.uniform(0, 3.5), shape)
        return kind, [z, rng.uniform(0, 1, shape)], {}, F + "binary_cross_entropy_with_logits", {}, 1.0
    if kind.startswith("cross_entropy"):
        n, c = int(rng.integers(1, 12)), int(rng.integers(2, 9))
        z = rng.normal(0, 10.0 ** rng.uniform(0, 3), (n, c))
        t = rng.integers(0, c, n) if kind.endswith("int") else rng.dirichlet(np.ones(c), n)
        eps = float(rng.uniform(0, 0.5)) if "smooth" in kind else 0.0
        return "cross_entropy", [z, t], dict(label_smoothing=eps), F + "cross_entropy", \
            dict(label_smoothing=eps), 1.0
    if kind == "multiclass_hinge":
        n, c = int(rng.integers(1, 12)), int(rng.integers(2, 9))
        margin = float(rng.choice([0.0, 0.5, 1.0, 3.0]))
        s = np.round(rng.normal(0, 2, (n, c)), 1)          # rounded: ties and exact kinks happen
        return kind, [s, rng.integers(0, c, n)], dict(margin=margin), F + "multi_margin_loss", \
            dict(margin=margin), float(c)
    raise ValueError(kind)


LOSS_KINDS = ["mse", "mae", "huber", "binary_cross_entropy", "binary_cross_entropy_with_logits",
              "cross_entropy_int", "cross_entropy_prob", "cross_entropy_smooth_int", "cross_entropy_smooth_prob",
              "multiclass_hinge"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", LOSS_KINDS)
def test_loss_and_gradient_match_live_torch(torch, kind, seed):
    rng = np.random.default_rng([seed, LOSS_KINDS.index(kind)])
    fn, inputs, kwargs, torch_fn, torch_kwargs, scale = _fresh_loss_case(kind, rng)
    x = torch.tensor(inputs[0], dtype=torch.float64, requires_grad=True)
    other = torch.tensor(inputs[1])
    value_t = ref._torch_function(torch, torch_fn)(x, other, **torch_kwargs) * scale
    value_t.backward()
    ref.assert_close(getattr(losses, fn)(*inputs, **kwargs), value_t.item(), LOSS_RTOL, f"{kind} value")
    ref.assert_close(getattr(losses, fn + "_grad")(*inputs, **kwargs), x.grad.numpy(), LOSS_RTOL,
                     f"{kind} gradient")


@pytest.mark.parametrize("seed", SEEDS)
def test_hinge_matches_live_sklearn_and_torch_subgradient(torch, sklearn_metrics, seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 40)),)
    y = rng.choice([-1, 1], shape)
    s = np.round(rng.normal(0, 1.5, shape), 1)
    s[: shape[0] // 4] = y[: shape[0] // 4]               # exact kinks y s = 1
    if np.unique(y).size < 2:                            # sklearn needs both labels to know which is +1
        y[0] = -y[0]
    ref.assert_close(losses.hinge(s, y), sklearn_metrics.hinge_loss(y, s), LOSS_RTOL, "hinge value")
    st = torch.tensor(s, requires_grad=True)
    torch.relu(1.0 - torch.tensor(y, dtype=torch.float64) * st).mean().backward()
    ref.assert_close(losses.hinge_grad(s, y), st.grad.numpy(), LOSS_RTOL, "hinge subgradient")


@pytest.mark.parametrize("seed", SEEDS)
def test_helpers_match_live_torch(torch, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 10.0 ** rng.uniform(0, 3), (5, 6))
    zt = torch.tensor(z)
    F = torch.nn.functional
    for mine, theirs in [(losses.sigmoid(z), torch.sigmoid(zt)), (losses.log_sigmoid(z), F.logsigmoid(zt)),
                         (losses.softplus(z), F.softplus(zt)), (losses.logsumexp(z), torch.logsumexp(zt, -1)),
                         (losses.softmax(z), torch.softmax(zt, -1)), (losses.log_softmax(z), torch.log_softmax(zt, -1)),
                         (losses.logsumexp(z, axis=0), torch.logsumexp(zt, 0)),
                         (losses.softmax(z, axis=0), torch.softmax(zt, 0))]:
        ref.assert_close(mine, theirs.numpy(), LOSS_RTOL, "helper")


# ----------------------------------------------------------------------------
# Optimizers step by step, state included
# ----------------------------------------------------------------------------

def _random_config(optimizer, rng):
    u = lambda lo, hi: float(rng.uniform(lo, hi))  # noqa: E731
    if optimizer == "SGD":
        momentum = float(rng.choice([0.0, u(0.1, 0.95)]))
        nesterov = bool(momentum > 0 and rng.random() < 0.5)
        return dict(lr=u(1e-3, 0.1), momentum=momentum, dampening=0.0 if nesterov else u(0, 0.9),
                    weight_decay=float(rng.choice([0.0, u(0, 0.2)])), nesterov=nesterov)
    if optimizer == "RMSprop":
        return dict(lr=u(1e-3, 0.03), alpha=u(0.5, 0.999), eps=10.0 ** u(-10, -4),
                    weight_decay=float(rng.choice([0.0, u(0, 0.2)])), momentum=float(rng.choice([0.0, u(0, 0.9)])),
                    centered=bool(rng.random() < 0.5))
    if optimizer == "Adagrad":
        return dict(lr=u(1e-2, 0.3), lr_decay=float(rng.choice([0.0, u(0, 0.1)])),
                    weight_decay=float(rng.choice([0.0, u(0, 0.2)])), initial_accumulator_value=u(0, 1),
                    eps=10.0 ** u(-12, -6))
    return dict(lr=u(1e-3, 0.05), betas=(u(0.5, 0.95), u(0.9, 0.9999)), eps=10.0 ** u(-10, -5),
                weight_decay=u(0, 0.3), amsgrad=bool(rng.random() < 0.5))


LIVE_CONFIGS = [(cid, opt, kw, prob) for cid, opt, kw, prob in ref.OPTIMIZER_CONFIGS] + [
    (f"{opt}_random_{seed}", opt, "random", prob)
    for seed in SEEDS for opt in ("SGD", "RMSprop", "Adagrad", "Adam", "AdamW") for prob in ("single",)]


@pytest.mark.parametrize("cid, optimizer, kwargs, problem_name", LIVE_CONFIGS, ids=[c[0] for c in LIVE_CONFIGS])
def test_optimizer_matches_live_torch_every_step(torch, cid, optimizer, kwargs, problem_name):
    rng = np.random.default_rng([zlib.crc32(cid.encode()), 7])
    if kwargs == "random":
        kwargs = _random_config(optimizer, rng)
    steps = 100
    problem = ref.optimizer_problem(problem_name, steps=steps, seed=int(rng.integers(2**31)))
    opt = getattr(optim, optimizer)(**kwargs)
    single = list(problem) == [optim.SINGLE]
    mine = {n: problem[n]["theta0"].copy() for n in problem}

    def compare(t, torch_params, torch_states):
        nonlocal mine
        grads = {n: ref.quadratic_grad(problem[n], mine[n], t) for n in problem}
        mine = {optim.SINGLE: opt.step(mine[optim.SINGLE], grads[optim.SINGLE])} if single else opt.step(mine, grads)
        for n in problem:
            ref.assert_close_normwise(mine[n], torch_params[n], OPTIM_RTOL, f"{cid} {kwargs}: {n!r} at step {t}")
            theirs, ours = torch_states[n], opt.state[n]
            assert set(ours) - {"step"} == set(theirs) - {"step"}, (cid, t, sorted(ours), sorted(theirs))
            for key, value in theirs.items():
                if key == "step":
                    assert ours["step"] == value == t
                else:
                    ref.assert_close_normwise(ours[key], value, OPTIM_RTOL, f"{cid} {kwargs}: state {key!r} at step {t}")

    ref.torch_trajectory(torch, optimizer, kwargs, problem, steps=steps, checkpoints=[], on_step=compare)
    assert opt.state[next(iter(problem))]["step"] == steps
