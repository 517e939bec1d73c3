"""Regenerate the stored reference values in tests/reference/ from PyTorch and scikit-learn.

    cd /work/main  (the repository root)
    .venv/bin/python tests/make_reference.py            # rewrite tests/reference/*.npz
    .venv/bin/python tests/make_reference.py --check    # compare with the stored files, write nothing

Needs torch (2.13, CPU) and scikit-learn; lossopt itself is never called here, so
the stored numbers are independent of the code they check.

Two files, each an ``.npz`` with the inputs stored next to the outputs and a JSON
``__meta__`` entry (versions, what each case is and how it was computed):

``losses.npz``
    For every case: the inputs, the reference loss value (``::value``) and its
    gradient with respect to the prediction (``::grad``), from torch autograd on
    ``torch.nn.functional`` in float64, or from ``sklearn.metrics.hinge_loss``.
``optim.npz``
    Small quadratic problems (``problem/...``: start point, minimum, curvature,
    and the seeded gradient noise for every step) and, for each optimizer
    configuration, the parameters after selected steps (``::traj::<name>``,
    one row per step in ``checkpoints``) and the final optimizer state
    (``::state::<name>::<key>``) from ``torch.optim``.

The gradient at step t (1-based) of parameter ``name`` is :func:`quadratic_grad`,
elementwise numpy arithmetic, so the replay in tests/test_optim.py computes
bit-identical gradients from the same parameters without torch.

The tests import this file (``build_losses``, ``build_optim`` and the helpers
below) to regenerate the values in memory and compare with the stored ones when
torch is installed. Keep it free of module-level torch/sklearn imports.
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REFERENCE_DIR = HERE / "reference"
LOSSES_FILE = REFERENCE_DIR / "losses.npz"
OPTIM_FILE = REFERENCE_DIR / "optim.npz"

STEPS = 200
CHECKPOINTS = [1, 2, 3, 4, 5] + list(range(10, STEPS + 1, 10))   # steps whose parameters are stored


# ----------------------------------------------------------------------------
# Loss cases: inputs (deterministic numpy) and how torch/sklearn computes them
# ----------------------------------------------------------------------------
# Each case: id, the lossopt function, its keyword arguments, the names of its
# two array arguments, and the reference (torch function + kwargs, or sklearn).
# ``scale`` multiplies torch's value and gradient (multi_margin_loss divides by C).

def _rng(seed):
    return np.random.default_rng(seed)


def loss_cases():
    """List of (meta, arrays): meta describes the case, arrays holds its float64/int64 inputs."""
    cases = []

    def add(case_id, fn, inputs, reference, kwargs=None, torch_kwargs=None, scale=1.0):
        arg_names = list(inputs)
        meta = dict(id=case_id, function=fn, args=arg_names, kwargs=kwargs or {},
                    reference=reference, torch_kwargs=torch_kwargs if torch_kwargs is not None else (kwargs or {}),
                    scale=scale)
        cases.append((meta, {k: np.asarray(v) for k, v in inputs.items()}))

    # Regression ---------------------------------------------------------------
    r = _rng(1)
    pred, targ = r.normal(0, 2, size=(7, 5)), r.normal(0, 2, size=(7, 5))
    add("mse_2d", "mse", dict(prediction=pred, target=targ), "torch.nn.functional.mse_loss")
    add("mse_large", "mse", dict(prediction=r.normal(0, 1e3, 40), target=r.normal(0, 1e3, 40)),
        "torch.nn.functional.mse_loss")
    pred, targ = r.normal(0, 1, 30), r.normal(0, 1, 30)
    pred[::6] = targ[::6]                                  # residual exactly 0: subgradient 0
    add("mae_1d", "mae", dict(prediction=pred, target=targ), "torch.nn.functional.l1_loss")
    add("mae_2d", "mae", dict(prediction=r.normal(0, 3, (4, 6)), target=r.normal(0, 3, (4, 6))),
        "torch.nn.functional.l1_loss")
    for delta in (0.1, 0.5, 1.0, 2.5):
        pred, targ = r.normal(0, 1.5, 40), r.normal(0, 1.5, 40)
        targ[:4] = 0.0
        pred[:4] = [delta, -delta, 0.0, 3 * delta]         # |e| exactly delta, exactly 0, far out
        add(f"huber_delta={delta}", "huber", dict(prediction=pred, target=targ),
            "torch.nn.functional.huber_loss", kwargs=dict(delta=delta))

    # Binary classification on probabilities -----------------------------------
    r = _rng(2)
    add("bce_hard_targets", "binary_cross_entropy",
        dict(prediction=r.uniform(0.001, 0.999, 50), target=r.integers(0, 2, 50).astype(float)),
        "torch.nn.functional.binary_cross_entropy")
    add("bce_soft_targets", "binary_cross_entropy",
        dict(prediction=r.uniform(0.0, 1.0, (6, 5)), target=r.uniform(0.0, 1.0, (6, 5))),
        "torch.nn.functional.binary_cross_entropy")
    # p = 0 and p = 1 exactly (log clamped at -100, gradient denominator floored at 1e-12),
    # and p so close to 0/1 that p(1-p) is below the floor.
    p = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1e-14, 1 - 1e-15, 0.5, 1e-300])
    y = np.array([0.0, 1.0, 0.3, 1.0, 0.0, 0.7, 0.0, 1.0, 0.5, 0.2])
    add("bce_p_0_and_1", "binary_cross_entropy", dict(prediction=p, target=y),
        "torch.nn.functional.binary_cross_entropy")

    # Binary classification on logits --------------------------------------------
    r = _rng(3)
    add("bce_logits_normal", "binary_cross_entropy_with_logits",
        dict(logits=r.normal(0, 3, 60), target=r.integers(0, 2, 60).astype(float)),
        "torch.nn.functional.binary_cross_entropy_with_logits")
    z = np.concatenate([[-5000.0, -1000.0, -750.0, -40.0, 0.0, 40.0, 750.0, 1000.0, 5000.0, 2e4, -2e4],
                        r.normal(0, 2000, 9)])
    add("bce_logits_huge", "binary_cross_entropy_with_logits",
        dict(logits=z, target=r.uniform(0, 1, z.size)),
        "torch.nn.functional.binary_cross_entropy_with_logits")
    add("bce_logits_huge_hard", "binary_cross_entropy_with_logits",
        dict(logits=z.reshape(4, 5), target=np.tile([0.0, 1.0], 10).reshape(4, 5)),
        "torch.nn.functional.binary_cross_entropy_with_logits")

    # Multi-class ----------------------------------------------------------------
    r = _rng(4)
    n, c = 13, 5
    z = r.normal(0, 2, (n, c))
    z[0] = [1000.0, -1000.0, 0.0, 500.0, -3000.0]          # extreme rows: log-sum-exp needed
    z[1] = [-1e4, -1e4, -1e4, -1e4, -1e4 + 1.0]
    labels = r.integers(0, c, n)
    probs = r.dirichlet(np.ones(c), n)
    probs[2] = [0.0, 0.0, 1.0, 0.0, 0.0]
    add("ce_int", "cross_entropy", dict(logits=z, target=labels), "torch.nn.functional.cross_entropy")
    add("ce_prob", "cross_entropy", dict(logits=z, target=probs), "torch.nn.functional.cross_entropy")
    unnormalised = r.uniform(0, 1, (n, c))                # rows need not sum to 1 (torch allows it)
    add("ce_prob_unnormalised", "cross_entropy", dict(logits=z, target=unnormalised),
        "torch.nn.functional.cross_entropy")
    for eps in (0.1, 0.25):
        add(f"ce_int_label_smoothing={eps}", "cross_entropy", dict(logits=z, target=labels),
            "torch.nn.functional.cross_entropy", kwargs=dict(label_smoothing=eps))
        add(f"ce_prob_label_smoothing={eps}", "cross_entropy", dict(logits=z, target=probs),
            "torch.nn.functional.cross_entropy", kwargs=dict(label_smoothing=eps))
    z_wide = r.normal(0, 1, (4, 40))
    add("ce_int_wide", "cross_entropy", dict(logits=z_wide, target=r.integers(0, 40, 4)),
        "torch.nn.functional.cross_entropy")

    # Hinge ------------------------------------------------------------------------
    r = _rng(5)
    y = r.choice([-1, 1], 40)
    s = r.normal(0, 1.5, 40)
    s[:4] = y[:4]                                          # margin exactly 1: the kink
    s[4:6] = -y[4:6] * 3.0
    add("hinge_int_labels", "hinge", dict(scores=s, target=y), "sklearn.metrics.hinge_loss")
    y = r.choice([-1.0, 1.0], 25)
    add("hinge_float_labels", "hinge", dict(scores=r.normal(0, 2, 25), target=y), "sklearn.metrics.hinge_loss")

    n, c = 12, 4
    s = np.round(r.normal(0, 2, (n, c)), 1)
    labels = r.integers(0, c, n)
    for margin in (0.5, 1.0, 2.0):
        s_case = s.copy()
        # exact kinks: a wrong class exactly `margin` below the true class
        s_case[0, (labels[0] + 1) % c] = s_case[0, labels[0]] - margin
        s_case[1, (labels[1] + 2) % c] = s_case[1, labels[1]] - margin
        add(f"multiclass_hinge_margin={margin}", "multiclass_hinge", dict(scores=s_case, target=labels),
            "torch.nn.functional.multi_margin_loss", kwargs=dict(margin=margin),
            torch_kwargs=dict(margin=margin), scale=float(c))

    # Helpers --------------------------------------------------------------------------
    r = _rng(6)
    z = np.concatenate([r.normal(0, 5, 20), [-800.0, -50.0, -1e-3, 0.0, 1e-3, 50.0, 800.0]])
    for fn, ref in (("sigmoid", "torch.sigmoid"), ("log_sigmoid", "torch.nn.functional.logsigmoid"),
                    ("softplus", "torch.nn.functional.softplus")):
        add(f"helper_{fn}", fn, dict(z=z), ref)
    zz = r.normal(0, 3, (6, 7))
    zz[0] = [900.0, -900.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    for fn, ref in (("logsumexp", "torch.logsumexp"), ("softmax", "torch.softmax"),
                    ("log_softmax", "torch.log_softmax")):
        add(f"helper_{fn}", fn, dict(z=zz), ref, torch_kwargs=dict(dim=-1))
    return cases


def _torch_function(torch, name):
    obj = torch
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def reference_loss(meta, arrays, torch, sklearn_metrics):
    """(value, grad) for one case from torch/sklearn; grad is None for the helpers (elementwise outputs)."""
    if meta["reference"] == "sklearn.metrics.hinge_loss":
        s, y = arrays["scores"], arrays["target"]
        value = float(sklearn_metrics.hinge_loss(y, s))
        # The subgradient, independently of lossopt: autograd of mean(relu(1 - y s)).
        # relu's derivative at 0 is 0, the convention lossopt documents for the kink.
        st = torch.tensor(s, dtype=torch.float64, requires_grad=True)
        yt = torch.tensor(y, dtype=torch.float64)
        torch_value = torch.relu(1.0 - yt * st).mean()
        torch_value.backward()
        if not np.isclose(torch_value.item(), value, rtol=1e-13, atol=0):
            raise AssertionError(f"{meta['id']}: sklearn {value!r} and torch {torch_value.item()!r} disagree")
        return np.float64(value), st.grad.numpy().copy()

    fn = _torch_function(torch, meta["reference"])
    first, *rest = meta["args"]
    x = torch.tensor(arrays[first], dtype=torch.float64, requires_grad=True)
    others = [torch.tensor(arrays[a]) for a in rest]                 # int64 labels stay int64
    others = [o.double() if o.is_floating_point() else o for o in others]
    out = fn(x, *others, **meta["torch_kwargs"])
    if out.ndim == 0:
        (out * meta["scale"]).backward()
        return np.float64(out.item() * meta["scale"]), x.grad.numpy().copy()
    return out.detach().numpy().copy(), None


def build_losses(torch, sklearn_metrics):
    """All loss reference values in memory: (arrays dict for np.savez, meta dict)."""
    out, metas = {}, []
    for meta, arrays in loss_cases():
        value, grad = reference_loss(meta, arrays, torch, sklearn_metrics)
        for k, v in arrays.items():
            out[f"{meta['id']}::{k}"] = v
        out[f"{meta['id']}::value"] = np.asarray(value)
        if grad is not None:
            out[f"{meta['id']}::grad"] = grad
        metas.append(meta)
    return out, dict(cases=metas, **_versions(torch, sklearn_metrics))


# ----------------------------------------------------------------------------
# Optimizer trajectories
# ----------------------------------------------------------------------------

PROBLEMS = {
    # name -> {parameter name: shape}
    "single": {"param": (6,)},
    "two_params": {"weight": (2, 3), "bias": (3,)},
}


def optimizer_problem(name, steps=STEPS, seed=None):
    """A noisy quadratic: f = sum c/2 (theta - target)^2, gradients c (theta - target) + noise_t.

    Returns {parameter name: {"theta0", "target", "curvature", "noise" (steps, *shape)}}.
    """
    rng = np.random.default_rng(seed if seed is not None else 1000 + sorted(PROBLEMS).index(name))
    problem = {}
    for pname, shape in PROBLEMS[name].items():
        problem[pname] = dict(
            theta0=rng.normal(0.0, 2.0, shape),
            target=rng.normal(0.0, 1.0, shape),
            curvature=rng.uniform(0.3, 3.0, shape),
            noise=rng.normal(0.0, 0.3, (steps, *shape)),
        )
    return problem


def quadratic_grad(problem_param, theta, t):
    """Gradient at step t (1-based): c * (theta - target) + noise[t - 1]. Plain elementwise numpy."""
    return problem_param["curvature"] * (theta - problem_param["target"]) + problem_param["noise"][t - 1]


# (id, optimizer class name, keyword arguments, problem). Same kwargs for torch and lossopt.
OPTIMIZER_CONFIGS = [
    ("SGD_plain", "SGD", dict(lr=0.05), "single"),
    ("SGD_momentum", "SGD", dict(lr=0.05, momentum=0.9), "single"),
    ("SGD_dampening", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.5), "single"),
    ("SGD_nesterov", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True), "single"),
    ("SGD_weight_decay", "SGD", dict(lr=0.05, weight_decay=0.1), "single"),
    ("SGD_all", "SGD", dict(lr=0.03, momentum=0.8, weight_decay=0.05, nesterov=True), "single"),
    ("SGD_momentum_dict", "SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01), "two_params"),
    ("RMSprop_plain", "RMSprop", dict(lr=0.01), "single"),
    ("RMSprop_centered", "RMSprop", dict(lr=0.01, centered=True), "single"),
    ("RMSprop_momentum", "RMSprop", dict(lr=0.005, momentum=0.9), "single"),
    ("RMSprop_weight_decay", "RMSprop", dict(lr=0.01, weight_decay=0.1), "single"),
    ("RMSprop_all", "RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.05, momentum=0.5,
                                    centered=True), "single"),
    ("RMSprop_centered_dict", "RMSprop", dict(lr=0.01, centered=True, momentum=0.3), "two_params"),
    ("Adagrad_plain", "Adagrad", dict(lr=0.1), "single"),
    ("Adagrad_lr_decay", "Adagrad", dict(lr=0.1, lr_decay=0.01), "single"),
    ("Adagrad_initial_accumulator", "Adagrad", dict(lr=0.1, initial_accumulator_value=0.5), "single"),
    ("Adagrad_weight_decay", "Adagrad", dict(lr=0.1, weight_decay=0.1), "single"),
    ("Adagrad_all", "Adagrad", dict(lr=0.2, lr_decay=0.05, weight_decay=0.02, initial_accumulator_value=0.1,
                                    eps=1e-8), "single"),
    ("Adam_plain", "Adam", dict(lr=0.01), "single"),
    ("Adam_amsgrad", "Adam", dict(lr=0.01, amsgrad=True), "single"),
    ("Adam_weight_decay", "Adam", dict(lr=0.01, weight_decay=0.1), "single"),
    ("Adam_all", "Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05, amsgrad=True), "single"),
    ("Adam_dict", "Adam", dict(lr=0.01, betas=(0.85, 0.995)), "two_params"),
    ("AdamW_default_decay", "AdamW", dict(lr=0.01), "single"),
    ("AdamW_weight_decay", "AdamW", dict(lr=0.01, weight_decay=0.1), "single"),
    ("AdamW_amsgrad", "AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True), "single"),
    ("AdamW_dict", "AdamW", dict(lr=0.02, weight_decay=0.3), "two_params"),
]


def torch_trajectory(torch, optimizer, kwargs, problem, steps=STEPS, checkpoints=None, on_step=None):
    """Run torch.optim.<optimizer> on ``problem``.

    Returns ({name: (len(checkpoints), *shape) array}, {name: {state key: array or int}}).
    ``on_step(t, params, state)`` if given is called after every step with numpy copies.
    """
    checkpoints = CHECKPOINTS if checkpoints is None else checkpoints
    names = list(problem)
    tensors = {n: torch.tensor(problem[n]["theta0"], dtype=torch.float64, requires_grad=True) for n in names}
    opt = getattr(torch.optim, optimizer)([tensors[n] for n in names], **kwargs)
    traj = {n: [] for n in names}
    for t in range(1, steps + 1):
        for n in names:
            theta = tensors[n].detach().numpy()
            tensors[n].grad = torch.tensor(quadratic_grad(problem[n], theta, t), dtype=torch.float64)
        opt.step()
        if t in checkpoints:
            for n in names:
                traj[n].append(tensors[n].detach().numpy().copy())
        if on_step is not None:
            on_step(t, {n: tensors[n].detach().numpy().copy() for n in names},
                    {n: torch_state(opt.state[tensors[n]]) for n in names})
    return {n: np.array(traj[n]) for n in names}, {n: torch_state(opt.state[tensors[n]]) for n in names}


def torch_state(state):
    """torch's per-parameter state as numpy: tensors -> arrays, the step tensor -> int, None dropped."""
    out = {}
    for k, v in state.items():
        if v is None:
            continue
        if k == "step":
            out[k] = int(v.item()) if hasattr(v, "item") else int(v)
        else:
            out[k] = v.detach().numpy().copy()
    return out


def build_optim(torch):
    """All optimizer reference trajectories in memory: (arrays dict for np.savez, meta dict)."""
    out, metas = {}, []
    for pname in PROBLEMS:
        for n, arrays in optimizer_problem(pname).items():
            for k, v in arrays.items():
                out[f"problem::{pname}::{n}::{k}"] = v
    for cid, optimizer, kwargs, pname in OPTIMIZER_CONFIGS:
        traj, state = torch_trajectory(torch, optimizer, kwargs, optimizer_problem(pname))
        for n in traj:
            out[f"{cid}::traj::{n}"] = traj[n]
            for k, v in state[n].items():
                out[f"{cid}::state::{n}::{k}"] = np.asarray(v)
        metas.append(dict(id=cid, optimizer=optimizer, kwargs=kwargs, problem=pname,
                          reference=f"torch.optim.{optimizer}"))
    meta = dict(configs=metas, problems={k: {n: list(s) for n, s in v.items()} for k, v in PROBLEMS.items()},
                steps=STEPS, checkpoints=CHECKPOINTS, gradient="curvature * (theta - target) + noise[t - 1]",
                **_versions(torch, None))
    return out, meta


# ----------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------

def _versions(torch, sklearn_metrics):
    v = dict(torch=torch.__version__, numpy=np.__version__, python=platform.python_version(),
             dtype="float64", generated_by="tests/make_reference.py")
    if sklearn_metrics is not None:
        import sklearn
        v["sklearn"] = sklearn.__version__
    return v


def save(path, arrays, meta):
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, __meta__=np.array(json.dumps(meta, sort_keys=True)), **arrays)


def load(path):
    """(arrays dict, meta dict) from a stored reference file; no pickles."""
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files if k != "__meta__"}
        meta = json.loads(str(f["__meta__"]))
    return arrays, meta


def close_enough(actual, expected, rtol):
    """Elementwise ``|a - e| <= rtol * |e| + rtol * 1e-3 * max|e|``; the second term
    only matters for entries that are (near) zero by cancellation. Returns (ok, worst relative error)."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        return False, np.inf
    scale = float(np.max(np.abs(e))) if e.size else 0.0
    err = np.abs(a - e)
    bound = rtol * np.abs(e) + rtol * 1e-3 * scale
    ok = bool(np.all(err <= bound))          # NaN anywhere fails
    worst = float(np.max(err / np.maximum(np.abs(e), 1e-3 * scale))) if scale > 0 else float(np.max(err, initial=0.0))
    return ok, worst


def assert_close(actual, expected, rtol, what=""):
    ok, worst = close_enough(actual, expected, rtol)
    if not ok:
        raise AssertionError(f"{what}: relative error {worst:.3g} exceeds {rtol:g}\n"
                             f"actual   {np.asarray(actual)!r}\nexpected {np.asarray(expected)!r}")
    return worst


def assert_close_normwise(actual, expected, rtol, what=""):
    """``max|a - e| <= rtol * max|e|``: relative to the array's largest entry (for trajectories and state)."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise AssertionError(f"{what}: shape {a.shape} but the reference has shape {e.shape}")
    scale = float(np.max(np.abs(e))) if e.size else 0.0
    err = float(np.max(np.abs(a - e))) if e.size else 0.0
    if not err <= rtol * scale:              # NaN fails too
        raise AssertionError(f"{what}: max error {err:.3g} is {err / scale if scale else np.inf:.3g} of the "
                             f"largest entry {scale:.3g}, allowed {rtol:g}\nactual   {a!r}\nexpected {e!r}")
    return err / scale if scale else 0.0


def compare_stored(stored, fresh, rtol=1e-12):
    """Names of arrays that differ (or exist in only one of the two dicts)."""
    bad = sorted(set(stored) ^ set(fresh))
    for k in set(stored) & set(fresh):
        a, b = np.asarray(stored[k]), np.asarray(fresh[k])
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            bad.append(k)
        elif a.dtype.kind == "f":
            scale = np.max(np.abs(b)) if b.size else 0.0
            if not np.all(np.abs(a - b) <= rtol * np.abs(b) + rtol * 1e-3 * scale):
                bad.append(k)
        elif not np.array_equal(a, b):
            bad.append(k)
    return sorted(bad)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the stored files instead of writing")
    args = parser.parse_args(argv)
    import sklearn.metrics as sklearn_metrics
    import torch
    if not torch.__version__.startswith("2.13"):
        print(f"warning: the reference is meant to come from torch 2.13, this is {torch.__version__}", file=sys.stderr)
    torch.set_default_dtype(torch.float64)
    built = {LOSSES_FILE: build_losses(torch, sklearn_metrics), OPTIM_FILE: build_optim(torch)}
    status = 0
    for path, (arrays, meta) in built.items():
        if args.check:
            stored, _ = load(path)
            bad = compare_stored(stored, arrays)
            print(f"{path.relative_to(HERE.parent)}: " + ("matches" if not bad else f"{len(bad)} differ: {bad[:10]}"))
            status |= bool(bad)
        else:
            save(path, arrays, meta)
            print(f"wrote {path.relative_to(HERE.parent)} ({path.stat().st_size / 1024:.0f} KB, "
                  f"{len(meta.get('cases', meta.get('configs')))} cases; torch {meta['torch']})")
    return status


if __name__ == "__main__":
    sys.exit(main())
