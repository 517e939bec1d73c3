"""Time lossopt against PyTorch on the CPU, both single-threaded, both in float64.

    make bench                                   # = .venv/bin/python tests/bench.py
    .venv/bin/python tests/bench.py --quick      # fewer repeats, a few seconds (CI)
    .venv/bin/python tests/bench.py --fail-over 2    # exit 1 if a ratio is above 2

What is timed, in one run (best of N repeats, lossopt and torch interleaved so
that a busy machine slows both alike):

- one optimizer step on 1,000,000 parameters: SGD with momentum, RMSprop, Adam.
  lossopt: ``params = opt.step(params, grads)`` (returns new parameters);
  torch: ``opt.step()`` with ``p.grad`` set (updates ``p`` in place).
- loss plus gradient on 1,000,000 elements: MSE and binary cross-entropy with
  logits; and cross-entropy on 10,000 x 100 logits with integer targets.
  lossopt: ``loss(p, y)`` and ``loss_grad(p, y)``, two calls that each check
  their inputs; torch: forward and ``backward()`` through autograd. The last
  column shows torch's forward pass alone, to show what autograd costs.

Both sides compute in float64 (lossopt's precision; torch set to match), and
both use one thread: OMP/OPENBLAS/MKL_NUM_THREADS=1 are set before numpy is
imported, and ``torch.set_num_threads(1)``. The ratio is lossopt / torch
(below 1: lossopt is faster). Without torch only lossopt's times are printed.

This file is not a test (pytest collects only test_*.py).
"""
from __future__ import annotations

import os
import sys

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
                    "NUMEXPR_NUM_THREADS")
for _var in THREAD_VARIABLES:            # must happen before numpy (and its BLAS) is imported
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing
from lossopt import losses, optim  # noqa: E402

N_PARAMS = 1_000_000
CE_SHAPE = (10_000, 100)
TARGET_RATIO = 2.0


def best_of(fn, repeats):
    """Best wall time of ``repeats`` calls, in milliseconds (after one warm-up call)."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1e3


def interleaved(fns, repeats):
    """Best time of each function, alternating them so that background load hits all alike."""
    for fn in fns:
        fn()
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return [b * 1e3 for b in best]


# ----------------------------------------------------------------------------
# Cases: each returns (lossopt callable, torch callable or None, torch forward-only callable or None)
# ----------------------------------------------------------------------------

def optimizer_case(rng, torch, lossopt_opt, torch_opt_factory):
    theta = rng.standard_normal(N_PARAMS)
    grad = rng.standard_normal(N_PARAMS)
    box = [theta]

    def run_lossopt():
        box[0] = lossopt_opt.step(box[0], grad)      # the way a training loop uses it

    for _ in range(3):                                # create the state (momentum buffers, averages)
        run_lossopt()
    if torch is None:
        return run_lossopt, None, None
    p = torch.tensor(theta, requires_grad=True)
    p.grad = torch.tensor(grad)
    opt = torch_opt_factory([p])
    for _ in range(3):
        opt.step()
    return run_lossopt, opt.step, None


def loss_case(rng, torch, kind):
    if kind == "cross_entropy":
        x = rng.standard_normal(CE_SHAPE) * 3
        y = rng.integers(0, CE_SHAPE[1], CE_SHAPE[0])
    else:
        x = rng.standard_normal(N_PARAMS) * 3
        y = rng.standard_normal(N_PARAMS) if kind == "mse" else (rng.random(N_PARAMS) < 0.5).astype(np.float64)
    loss, grad = getattr(losses, kind), getattr(losses, kind + "_grad")

    def run_lossopt():
        loss(x, y)
        grad(x, y)

    if torch is None:
        return run_lossopt, None, None
    F = torch.nn.functional
    torch_loss = {"mse": F.mse_loss, "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
                  "cross_entropy": F.cross_entropy}[kind]
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.tensor(y)

    def run_torch():
        xt.grad = None
        torch_loss(xt, yt).backward()

    def run_torch_forward():
        with torch.no_grad():
            torch_loss(xt, yt)

    return run_lossopt, run_torch, run_torch_forward


def cases(torch):
    rng = np.random.default_rng(0)
    T = torch.optim if torch is not None else None
    yield "SGD momentum step, 1e6 params", lambda: optimizer_case(
        rng, torch, optim.SGD(lr=0.01, momentum=0.9), lambda ps: T.SGD(ps, lr=0.01, momentum=0.9))
    yield "RMSprop step, 1e6 params", lambda: optimizer_case(
        rng, torch, optim.RMSprop(lr=0.01), lambda ps: T.RMSprop(ps, lr=0.01))
    yield "Adam step, 1e6 params", lambda: optimizer_case(
        rng, torch, optim.Adam(lr=0.01), lambda ps: T.Adam(ps, lr=0.01))
    yield "MSE loss+grad, 1e6", lambda: loss_case(rng, torch, "mse")
    yield "BCE-with-logits loss+grad, 1e6", lambda: loss_case(rng, torch, "binary_cross_entropy_with_logits")
    yield "cross-entropy loss+grad, 1e4 x 100", lambda: loss_case(rng, torch, "cross_entropy")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Time lossopt against PyTorch (CPU, one thread, float64).")
    parser.add_argument("--quick", action="store_true", help="5 repeats instead of 20 (for CI)")
    parser.add_argument("--repeats", type=int, default=None, help="repeats per case (best time is reported)")
    parser.add_argument("--fail-over", type=float, default=None, metavar="RATIO",
                        help="exit with status 1 if any lossopt/torch ratio is above RATIO")
    args = parser.parse_args(argv)
    repeats = args.repeats or (5 if args.quick else 20)

    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_num_threads(1)
        torch.set_default_dtype(torch.float64)

    print(f"lossopt vs PyTorch, CPU, 1 thread, float64, best of {repeats}; numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch is not None else ""))
    if torch is None:
        print("torch is not installed: only lossopt's times are shown; install torch==2.13.0 to get the ratios.")
    header = f"{'case':36s} {'lossopt ms':>11s} {'torch ms':>9s} {'ratio':>6s} {'torch fwd ms':>13s}"
    print(header)
    print("-" * len(header))
    ratios = []
    for name, make in cases(torch):
        run_lossopt, run_torch, run_forward = make()
        if run_torch is None:
            ms = best_of(run_lossopt, repeats)
            print(f"{name:36s} {ms:11.2f} {'-':>9s} {'-':>6s} {'-':>13s}", flush=True)
            continue
        fns = [run_lossopt, run_torch] + ([run_forward] if run_forward else [])
        times = interleaved(fns, repeats)
        ratio = times[0] / times[1]
        ratios.append((ratio, name))
        fwd = f"{times[2]:13.2f}" if run_forward else f"{'-':>13s}"
        print(f"{name:36s} {times[0]:11.2f} {times[1]:9.2f} {ratio:6.2f} {fwd}", flush=True)
    if not ratios:
        return 0
    worst, worst_name = max(ratios)
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"worst ratio {worst:.2f} ({worst_name}): {verdict} the {TARGET_RATIO:g}x target")
    if args.fail_over is not None and worst > args.fail_over:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
