"""Checks for lesson 07, stochastic and mini-batch gradient descent.

Exercises: ``make_minibatches(n, batch_size, seed)``, ``sgd_epoch(theta, X, y, lr,
batch_size, seed)`` and ``lr_schedule(step, lr0, tau)``.

The expected batches come from :func:`lossopt.train.iterate_minibatches` (the same
epochs ``lossopt.train.train`` uses), the expected epoch from
:func:`lossopt.losses.mse`, :func:`lossopt.losses.mse_grad` and
:class:`lossopt.optim.SGD` on those batches. Every batch, every batch loss and the
final parameters are compared; the ``mistakes`` tables hold what each classic
mistake would return, so the hint can name it.
"""
from __future__ import annotations

import math

import numpy as np

from .. import data, losses, optim, schedules, train
from ._core import NOT_IMPLEMENTED, CheckFailed, Exercise, fmt

__all__ = ["check_make_minibatches", "check_sgd_epoch", "check_lr_schedule"]

_ORDER_HINT = ("draw the order once with np.random.default_rng(seed).permutation(n), then cut it into "
               "consecutive slices order[k:k + batch_size] for k = 0, batch_size, 2·batch_size, ...")


def _batches(n, batch_size, seed):
    """The reference: the index arrays of one epoch, as lossopt.train makes them."""
    return list(train.iterate_minibatches(n, batch_size, shuffle=True, seed=seed))


def _slices(order, batch_size):
    return [order[k:k + batch_size] for k in range(0, len(order), batch_size)]


# ---------------------------------------------------------------------------------------------
# Exercise 1: the mini-batches of one epoch
# ---------------------------------------------------------------------------------------------

_MINIBATCH_CASES = [
    # (n, batch_size, seed)
    (10, 3, 0), (10, 5, 1), (10, 10, 2), (10, 1, 3), (1, 1, 0), (7, 20, 4), (2, 1, 5), (3, 2, 2024),
    (5, 4, 12), (37, 6, 42), (100, 32, 6), (100, 25, 7), (64, 64, 9), (65, 64, 10), (1000, 64, 8),
    (1024, 1000, 11), (333, 7, 99),
]


def _describe_minibatch_case(n, batch_size, seed):
    k, r = divmod(n, batch_size)
    if batch_size > n:
        shape = f"batch_size > n: one batch of all {n}"
    elif r == 0:
        shape = f"{k} full batch{'es' if k > 1 else ''}"
    else:
        shape = f"{k} full batch{'es' if k > 1 else ''} and a last one of {r}"
    return f"n={n}, batch_size={batch_size}, seed={seed} ({shape})"


def _as_index_batches(ex, got, case):
    """The answer as a list of 1-D integer arrays, or a clean failure."""
    if got is None:
        ex.fail("your function returned None.", case=case,
                hint="return the list of batches; did you forget the `return` statement?")
    if isinstance(got, (str, bytes, dict)) or not hasattr(got, "__iter__"):
        ex.fail(f"expected a list of index arrays, got {fmt(got)}.", case=case,
                hint="return a list such as [array([3, 0, 4]), array([1, 2])]")
    try:
        items = list(got)                   # a generator runs here
    except NotImplementedError:
        raise CheckFailed(f"{ex.name}: {NOT_IMPLEMENTED}") from None
    except Exception as exc:
        ex.fail(f"your function raised {type(exc).__name__}: {exc}", case=case,
                hint="run your function by hand on the input above to see where it fails")
    batches = []
    for j, batch in enumerate(items):
        if isinstance(batch, (str, bytes)):
            ex.fail(f"batch {j} is a string ({fmt(batch)}), expected an array of indices.", case=case)
        try:
            arr = np.asarray(batch)
        except Exception:  # pragma: no cover - asarray accepts nearly anything
            ex.fail(f"batch {j} could not be turned into an array: {fmt(batch)}.", case=case)
        if arr.ndim != 1:
            hint = ("did you return the permutation itself? Return the list of its slices"
                    if arr.ndim == 0 else "each batch is a flat array of indices")
            ex.fail(f"batch {j} has shape {arr.shape}, expected a 1-D array of indices.", case=case, hint=hint)
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            ex.fail(f"batch {j} holds {arr.dtype} values, expected integers (indices).", case=case,
                    hint="numpy can only index with integers: np.random.default_rng(seed).permutation(n) "
                         "already gives them")
        batches.append(arr)
    return batches


def check_make_minibatches(make_minibatches):
    """Check ``make_minibatches(n, batch_size, seed) -> list of index arrays`` on many (n, batch_size).

    Compares every batch with :func:`lossopt.train.iterate_minibatches` (shuffled with
    ``seed``), after checking the count, the sizes and that each index appears once.
    """
    ex = Exercise("make_minibatches", make_minibatches)
    for n, batch_size, seed in _MINIBATCH_CASES:
        case = _describe_minibatch_case(n, batch_size, seed)
        got = _as_index_batches(ex, ex.call(case, n, batch_size, seed), case)
        expected = _batches(n, batch_size, seed)
        sizes = [len(b) for b in got]
        want = [len(b) for b in expected]

        # how many batches
        if len(got) != len(expected):
            hint = f"an epoch of n={n} in batches of {batch_size} has ceil(n / batch_size) = {len(expected)} batches"
            if n % batch_size and len(got) == n // batch_size:
                hint = (f"you dropped the last, smaller batch: keep it (it holds the last {n % batch_size} "
                        f"of the {n} indices), so every example is used once per epoch")
            elif len(got) == len(expected) + 1 and sizes and sizes[-1] == 0:
                hint = "your last batch is empty: stop slicing once the start reaches n"
            elif len(got) > len(expected) and sum(sizes) > n:
                hint = "some indices are used more than once: slices must not overlap (order[k:k + batch_size])"
            ex.fail(f"returned {len(got)} batches, expected {len(expected)}.", case=case, hint=hint)
        ex.cases += 1

        # their sizes
        if sizes != want:
            hint = "batches hold batch_size indices each, except the last, which holds what is left"
            if all(s == batch_size - 1 for s in sizes[:-1]) and batch_size > 1:
                hint = "off by one: order[k:k + batch_size] already holds batch_size indices (the end is excluded)"
            elif all(s == batch_size + 1 for s in sizes[:-1]):
                hint = "off by one: order[k:k + batch_size + 1] holds one index too many; the end is excluded"
            elif n % batch_size and sizes[-1] == batch_size:
                hint = ("the last batch must be smaller: it holds only the remaining "
                        f"{n % batch_size} indices (do not pad it or wrap around to the start)")
            ex.fail(f"batch sizes are {fmt(sizes)}, expected {fmt(want)}.", case=case, hint=hint)
        ex.cases += 1

        # each index exactly once
        flat = np.concatenate(got) if got else np.array([], dtype=int)
        if not np.array_equal(np.sort(flat), np.arange(n)):
            outside = flat[(flat < 0) | (flat >= n)]
            if outside.size:
                ex.fail(f"index {int(outside[0])} is outside 0..{n - 1}.", case=case,
                        hint="the indices of n examples are 0, 1, ..., n - 1")
            ex.fail("some indices appear more than once and others never.", case=case,
                    hint="this looks like a classic mistake: sampling with replacement (rng.integers, "
                         "rng.choice(n, n)). An epoch uses every example exactly once: shuffle a "
                         "permutation of 0..n-1 and slice it")
        ex.cases += 1

        # the exact order
        in_order = _slices(np.arange(n), batch_size)
        legacy = _slices(np.random.RandomState(seed).permutation(n), batch_size)
        choice = _slices(np.random.default_rng(seed).choice(n, n, replace=False), batch_size)
        for j, (batch, ref) in enumerate(zip(got, expected)):
            ex.compare(case, batch, ref, what=f"batch {j}", atol=0, rtol=0, mistakes={
                "not shuffled: the batches are 0, 1, 2, ... in order; " + _ORDER_HINT: in_order[j],
                "the legacy global generator (np.random.seed / np.random.permutation) gives a different "
                "order: use np.random.default_rng(seed).permutation(n)": legacy[j],
                "rng.choice(n, n, replace=False) draws a different order than rng.permutation(n): "
                "use np.random.default_rng(seed).permutation(n)": choice[j],
            }, hint=_ORDER_HINT)
    ex.passed(" (every batch of every case)")


# ---------------------------------------------------------------------------------------------
# Exercise 2: one epoch of mini-batch SGD for linear regression
# ---------------------------------------------------------------------------------------------

def _reference_sgd_epoch(theta, X, y, lr, batch_size, seed):
    """The expected epoch, from lossopt: iterate_minibatches, losses.mse(_grad), optim.SGD."""
    opt = optim.SGD(lr=lr)
    batch_losses = []
    for batch in train.iterate_minibatches(len(y), batch_size, seed=seed):
        Xb, yb = X[batch], y[batch]
        prediction = Xb @ theta
        batch_losses.append(losses.mse(prediction, yb))      # before this batch's update
        grad = Xb.T @ losses.mse_grad(prediction, yb)       # = 2 Xbᵀ(Xb θ − yb) / len(batch)
        theta = opt.step(theta, grad)
    return theta, np.array(batch_losses)


def _wrong_sgd_epoch(theta, X, y, lr, batch_size, seed, *, order="shuffled", gradient="mean",
                     loss="batch", after=False, sign=1.0):
    """The result of a classic mistake (plain numpy, deliberately wrong)."""
    n = len(y)
    if order == "shuffled":
        perm = np.random.default_rng(seed).permutation(n)
    elif order == "in order":
        perm = np.arange(n)
    else:  # the legacy global generator
        perm = np.random.RandomState(seed).permutation(n)
    theta = np.array(theta, dtype=float)
    batch_losses = []
    for batch in _slices(perm, batch_size):
        Xb, yb = (X, y) if gradient == "full" else (X[batch], y[batch])
        e = Xb @ theta - yb
        if not after:
            batch_losses.append(np.mean((X @ theta - y) ** 2) if loss == "full" else
                                np.sum(e ** 2) if loss == "sum" else np.mean(e ** 2))
        if gradient in ("mean", "full"):
            grad = 2.0 * Xb.T @ e / len(yb)
        elif gradient == "sum":
            grad = 2.0 * Xb.T @ e
        elif gradient == "nominal":
            grad = 2.0 * Xb.T @ e / batch_size
        elif gradient == "no 2":
            grad = Xb.T @ e / len(yb)
        theta = theta - sign * lr * grad
        if after:
            batch_losses.append(np.mean((X[batch] @ theta - y[batch]) ** 2))
    return theta, np.array(batch_losses)


_SGD_MISTAKES = {
    "sum instead of mean: the gradient of the batch loss is 2 Xbᵀ(Xb θ − yb) / len(batch), "
    "with the 1/len(batch)": dict(gradient="sum"),
    "the last, smaller batch divided by batch_size instead of its own size len(batch)": dict(gradient="nominal"),
    "full-batch gradient: each step must use only its batch's rows X[batch], y[batch]": dict(gradient="full"),
    "missing the factor 2 in the gradient (the ½ convention): d/dθ mean(e²) = 2 Xbᵀe / len(batch)":
        dict(gradient="no 2"),
    "not shuffled: the batches must come from np.random.default_rng(seed).permutation(n), "
    "as in make_minibatches": dict(order="in order"),
    "the legacy global generator (np.random.seed / np.random.permutation) gives a different order: "
    "use np.random.default_rng(seed).permutation(n)": dict(order="legacy"),
    "wrong sign: theta = theta - lr * grad (step against the gradient)": dict(sign=-1.0),
    "batch loss recorded after the update: record mse on the batch with theta before that batch's step":
        dict(after=True),
    "recorded the loss on the whole data set: batch_losses[k] is the MSE on batch k only": dict(loss="full"),
    "recorded the sum of squared errors: the batch loss is the mean over the batch": dict(loss="sum"),
}


def _sgd_cases():
    """(description, theta, X, y, lr, batch_size, seed): many sizes, divisible or not, edge cases."""
    cases = []

    def add(n, d, batch_size, lr, seed, start="zeros", scale=1.0, bias=False):
        X, y, _ = data.large_regression(n=n, features=d, noise=0.3, seed=seed + 100)
        X = X * scale
        if bias:
            X = np.column_stack([X, np.ones(n)])
        rng = np.random.default_rng(seed + 200)
        theta = np.zeros(X.shape[1]) if start == "zeros" else rng.standard_normal(X.shape[1])
        k, r = divmod(n, batch_size)
        shape = ("one batch of all rows" if batch_size >= n else
                 f"{k} batches of {batch_size}" + (f" and one of {r}" if r else ""))
        extra = ", a column of ones for the bias" if bias else ""
        cases.append((f"X of shape {X.shape}{extra}, theta = {start}, lr={lr:g}, batch_size={batch_size}, "
                      f"seed={seed} ({shape})", theta, X, y, lr, batch_size, seed))

    add(10, 2, 3, 0.05, 0)
    add(12, 3, 4, 0.1, 1, start="random")
    add(7, 1, 1, 0.02, 2)
    add(5, 2, 5, 0.1, 3, start="random")
    add(6, 2, 10, 0.1, 4)
    add(100, 4, 32, 0.05, 5, start="random")
    add(200, 3, 16, 0.01, 6, start="random", scale=2.0)
    add(9, 2, 4, 0.0, 7, start="random")
    add(50, 4, 7, 0.05, 8, bias=True)
    add(64, 3, 8, 0.03, 9, start="random")
    return cases


def check_sgd_epoch(sgd_epoch):
    """Check ``sgd_epoch(theta, X, y, lr, batch_size, seed) -> (theta, batch_losses)``.

    Compares the parameters after the epoch and every batch loss (one per batch,
    before that batch's update) with the reference built from lossopt.
    """
    ex = Exercise("sgd_epoch", sgd_epoch)
    for case, theta, X, y, lr, batch_size, seed in _sgd_cases():
        result = ex.call(case, theta.copy(), X.copy(), y.copy(), lr, batch_size, seed)
        got_theta, got_losses = ex.unpack(result, ("theta", "batch_losses"), case)
        ref_theta, ref_losses = _reference_sgd_epoch(theta, X, y, lr, batch_size, seed)
        with np.errstate(all="ignore"):
            wrong = {what: _wrong_sgd_epoch(theta, X, y, lr, batch_size, seed, **kw)
                     for what, kw in _SGD_MISTAKES.items()}
        ex._as_numbers(case, got_theta, "theta after the epoch", ref_theta)   # None, a string, ...: say so first
        count = np.shape(got_losses)[0] if np.ndim(got_losses) >= 1 else None
        n = len(y)
        if count is not None and count != len(ref_losses):
            hint = "record one loss per batch, before that batch's update"
            if n % batch_size and count == n // batch_size:
                hint = "you dropped the last, smaller batch: it is part of the epoch (and gets its own step)"
            elif count == len(ref_losses) + 1:
                hint = "one loss too many: record the loss of each batch before its update, and nothing after the last"
            elif count == 1 and len(ref_losses) > 1:
                hint = "one step per batch, not one step for the whole epoch"
            ex.fail(f"batch_losses has {count} losses, expected {len(ref_losses)} (one per batch).",
                    case=case, hint=hint)
        ex.compare(case, got_theta, ref_theta, what="theta after the epoch",
                   mistakes={k: v[0] for k, v in wrong.items()},
                   hint="for each batch: e = X[batch] @ theta - y[batch]; "
                        "theta = theta - lr * 2 * X[batch].T @ e / len(batch)")
        ex.compare(case, got_losses, ref_losses, what="batch_losses",
                   mistakes={k: v[1] for k, v in wrong.items()},
                   hint="batch_losses[k] = mean((X[batch] @ theta - y[batch])²) with theta before step k")
    ex.passed(" (theta and every batch loss)")


# ---------------------------------------------------------------------------------------------
# Exercise 3: a learning-rate schedule
# ---------------------------------------------------------------------------------------------

def _schedule_cases():
    cases = []
    for step in (1, 2, 0, 3, 7, 10, 49, 50, 51, 99, 1000, 123_457):
        for lr0, tau in ((0.1, 50), (1.0, 1), (0.003, 2.5), (0.05, 1000), (0.5, 7)):
            cases.append((step, lr0, tau))
    cases += [(np.int64(20), 0.2, 10), (np.int64(5), 0.01, np.float64(4.0))]
    return cases


def check_lr_schedule(lr_schedule):
    """Check ``lr_schedule(step, lr0, tau) -> lr0 / (1 + step / tau)`` for many steps, lr0 and tau.

    The expected rate is :func:`lossopt.schedules.inverse_time_decay`.
    """
    ex = Exercise("lr_schedule", lr_schedule, rtol=1e-9, atol=0.0)
    for step, lr0, tau in _schedule_cases():
        case = f"step={step}, lr0={lr0:g}, tau={float(tau):g}"
        got = ex.call(case, step, lr0, tau)
        if np.ndim(got) != 0 and got is not None and not isinstance(got, (str, bytes)):
            ex.fail(f"expected one number, got {fmt(got)}.", case=case,
                    hint="return the learning rate of this one step, a float")
        s, t = float(step), float(tau)
        with np.errstate(all="ignore"):
            mistakes = {
                "off by one: steps count from 0, and lr_schedule(0, lr0, tau) must be lr0":
                    lr0 / (1 + (s + 1) / t),
                "multiplied by tau: the rate is lr0 / (1 + step / tau), which halves after tau steps":
                    lr0 / (1 + s * t),
                "integer division step // tau gives a staircase (that is step decay): use step / tau":
                    lr0 / (1 + (int(step) // int(tau) if float(tau).is_integer() else s // t)),
                "exponential decay lr0·exp(−step/tau): this exercise is the 1/t decay lr0 / (1 + step / tau)":
                    lr0 * math.exp(-s / t),
                "1/√t decay: no square root, the rate is lr0 / (1 + step / tau)": lr0 / math.sqrt(1 + s / t),
                "missing the 1 +: lr0 / (step / tau) is infinite at step 0": lr0 / (s / t) if s else math.inf,
                "linear decay: the rate is lr0 / (1 + step / tau), it never reaches 0": lr0 * (1 - s / t),
            }
        expected = schedules.inverse_time_decay(step, lr0, tau)          # lr0 / (1 + step / tau)
        ex.compare(case, got, expected, what="the learning rate", mistakes=mistakes,
                   hint="lr = lr0 / (1 + step / tau)")
    ex.passed()
