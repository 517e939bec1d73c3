"""The checks of lesson 07 accept right answers and reject wrong ones with a useful hint."""
from __future__ import annotations

import math

import numpy as np
import pytest

from lossopt.checks import check_lr_schedule, check_make_minibatches, check_sgd_epoch

from checkutil import fails, passes

# -- right answers, written as a learner would ----------------------------------------------------


def make_minibatches(n, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n)
    return [order[k:k + batch_size] for k in range(0, n, batch_size)]


def make_minibatches_generator(n, batch_size, seed):
    rng = np.random.default_rng(seed)
    order = np.arange(n)
    rng.shuffle(order)                       # the same permutation as rng.permutation(n)
    start = 0
    while start < n:
        yield order[start:start + batch_size]
        start += batch_size


def make_minibatches_lists(n, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n).tolist()
    return tuple(order[k:k + batch_size] for k in range(0, n, batch_size))


def sgd_epoch(theta, X, y, lr, batch_size, seed):
    batch_losses = []
    for batch in make_minibatches(len(y), batch_size, seed):
        Xb, yb = X[batch], y[batch]
        e = Xb @ theta - yb
        batch_losses.append(np.mean(e ** 2))
        theta = theta - lr * 2 * Xb.T @ e / len(batch)
    return theta, np.array(batch_losses)


def sgd_epoch_list_losses(theta, X, y, lr, batch_size, seed):
    theta = np.array(theta, dtype=float)
    batch_losses = []
    for batch in make_minibatches(len(y), batch_size, seed):
        prediction = X[batch] @ theta
        batch_losses.append(float(np.mean((prediction - y[batch]) ** 2)))
        grad = 2 * X[batch].T @ (prediction - y[batch]) / len(batch)
        theta -= lr * grad                   # in place on a copy: fine
    return theta, batch_losses


def lr_schedule(step, lr0, tau):
    return lr0 / (1 + step / tau)


def lr_schedule_other_form(step, lr0, tau):
    return lr0 * tau / (tau + step)


# -- passing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, answer", [
    (check_make_minibatches, make_minibatches),
    (check_make_minibatches, make_minibatches_generator),
    (check_make_minibatches, make_minibatches_lists),
    (check_sgd_epoch, sgd_epoch),
    (check_sgd_epoch, sgd_epoch_list_losses),
    (check_lr_schedule, lr_schedule),
    (check_lr_schedule, lr_schedule_other_form),
])
def test_right_answer_passes_with_one_line(check, answer, capsys):
    passes(check, answer, capsys)


# -- broken answers: inside generators, NaN, strings inside the result, shapes, in place -----------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

def test_generator_stub_says_not_implemented():
    def lazy(n, batch_size, seed):
        yield from ()
        raise NotImplementedError()
    assert "not implemented yet" in fails(check_make_minibatches, lazy)


def test_crash_inside_a_generator_is_reported_briefly():
    def broken(n, batch_size, seed):
        yield np.arange(min(n, batch_size))
        raise IndexError("boom")
    message = fails(check_make_minibatches, broken)
    assert "raised IndexError" in message and "input:" in message


@pytest.mark.parametrize("check, nan", [
    (check_make_minibatches, lambda n, b, s: [np.full(len(x), np.nan) for x in make_minibatches(n, b, s)]),
    (check_sgd_epoch, lambda theta, X, y, lr, b, s: (np.full_like(theta, np.nan),
                                                     np.full(len(make_minibatches(len(y), b, s)), np.nan))),
    (check_lr_schedule, lambda step, lr0, tau: float("nan")),
])
def test_nan_fails(check, nan):
    message = fails(check, nan)
    assert "NaN" in message or "integers" in message


@pytest.mark.parametrize("check, text", [
    (check_make_minibatches, lambda n, b, s: ["0, 1", "2"]),
    (check_sgd_epoch, lambda theta, X, y, lr, b, s: ("theta", [0.0])),
])
def test_strings_inside_the_result_fail(check, text):
    assert "string" in fails(check, text)


def test_wrong_shapes():
    # make_minibatches: the permutation itself, a 2-D array, float indices
    assert "permutation itself" in fails(check_make_minibatches,
                                         lambda n, b, s: np.random.default_rng(s).permutation(n))
    assert "1-D" in fails(check_make_minibatches,
                          lambda n, b, s: [x[:, None] for x in make_minibatches(n, b, s)])
    assert "integers" in fails(check_make_minibatches,
                               lambda n, b, s: [x.astype(float) for x in make_minibatches(n, b, s)])
    # sgd_epoch: theta as a column, one value returned, three values returned, losses as a column
    assert "shape" in fails(check_sgd_epoch, lambda *a: (sgd_epoch(*a)[0][:, None], sgd_epoch(*a)[1]))
    assert "tuple" in fails(check_sgd_epoch, lambda *a: sgd_epoch(*a)[0])
    assert "2 values" in fails(check_sgd_epoch, lambda *a: (*sgd_epoch(*a), 0.0))
    assert "shape" in fails(check_sgd_epoch, lambda *a: (sgd_epoch(*a)[0], sgd_epoch(*a)[1][:, None]))
    # lr_schedule: an array instead of a number
    assert "one number" in fails(check_lr_schedule, lambda step, lr0, tau: np.array([lr_schedule(step, lr0, tau)] * 2))


def test_mutating_the_input_fails():
    def in_place(theta, X, y, lr, batch_size, seed):
        batch_losses = []
        for batch in make_minibatches(len(y), batch_size, seed):
            e = X[batch] @ theta - y[batch]
            batch_losses.append(np.mean(e ** 2))
            theta -= lr * 2 * X[batch].T @ e / len(batch)     # changes the caller's array
        return theta, np.array(batch_losses)
    assert "changed one of its inputs" in fails(check_sgd_epoch, in_place)


# -- classic mistakes are named: make_minibatches ----------------------------------------------------

def _order(n, seed):
    return np.random.default_rng(seed).permutation(n)


def drop_last(n, b, s):
    order = _order(n, s)
    return [order[k:k + b] for k in range(0, n - b + 1, b)] or [order]


def not_shuffled(n, b, s):
    order = np.arange(n)
    return [order[k:k + b] for k in range(0, n, b)]


def with_replacement(n, b, s):
    order = np.random.default_rng(s).integers(0, n, size=n)
    return [order[k:k + b] for k in range(0, n, b)]


def choice_with_replacement(n, b, s):
    order = np.random.default_rng(s).choice(n, n)
    return [order[k:k + b] for k in range(0, n, b)]


def off_by_one_short(n, b, s):
    order = _order(n, s)
    return [order[k:k + b - 1] for k in range(0, n, b)]


def off_by_one_long(n, b, s):
    order = _order(n, s)
    return [order[k:k + b + 1] for k in range(0, n, b)]


def legacy_rng(n, b, s):
    np.random.seed(s)
    order = np.random.permutation(n)
    return [order[k:k + b] for k in range(0, n, b)]


def choice_order(n, b, s):
    order = np.random.default_rng(s).choice(n, n, replace=False)
    return [order[k:k + b] for k in range(0, n, b)]


def padded_last(n, b, s):
    order = np.resize(_order(n, s), -(-n // b) * b)     # wraps around to the start
    return [order[k:k + b] for k in range(0, len(order), b)]


def empty_last(n, b, s):
    order = _order(n, s)
    return [order[k:k + b] for k in range(0, n + 1, b)]


def overlapping(n, b, s):
    order = _order(n, s)
    return [order[k:k + b] for k in range(0, n, max(b - 1, 1))]


def out_of_range(n, b, s):
    return [x + 1 for x in make_minibatches(n, b, s)]


def sorted_batches(n, b, s):
    return [np.sort(x) for x in make_minibatches(n, b, s)]


@pytest.mark.parametrize("wrong, keyword", [
    (drop_last, "dropped the last"),
    (not_shuffled, "not shuffled"),
    (with_replacement, "with replacement"),
    (choice_with_replacement, "with replacement"),
    (off_by_one_short, "off by one"),
    (off_by_one_long, "off by one"),
    (legacy_rng, "legacy global generator"),
    (choice_order, "rng.choice"),
    (padded_last, "last batch must be smaller"),
    (empty_last, "empty"),
    (overlapping, "used more than once"),
    (out_of_range, "outside 0.."),
    (sorted_batches, "permutation(n)"),
])
def test_make_minibatches_mistakes(wrong, keyword):
    assert keyword in fails(check_make_minibatches, wrong)


# -- classic mistakes are named: sgd_epoch ---------------------------------------------------------

def sgd_variant(*, gradient="mean", after=False, order="shuffled", sign=1.0, loss="batch",
                drop_last=False, one_step=False):
    def epoch(theta, X, y, lr, batch_size, seed):
        n = len(y)
        if order == "shuffled":
            batches = make_minibatches(n, batch_size, seed)
        else:
            batches = not_shuffled(n, batch_size, seed)
        if drop_last and n % batch_size and len(batches) > 1:
            batches = batches[:-1]
        if one_step:
            batches = [np.arange(n)]
        batch_losses = []
        for batch in batches:
            Xb, yb = X[batch], y[batch]
            e = Xb @ theta - yb
            if not after:
                if loss == "full":
                    batch_losses.append(np.mean((X @ theta - y) ** 2))
                elif loss == "sum":
                    batch_losses.append(np.sum(e ** 2))
                else:
                    batch_losses.append(np.mean(e ** 2))
            if gradient == "mean":
                grad = 2 * Xb.T @ e / len(batch)
            elif gradient == "sum":
                grad = 2 * Xb.T @ e
            elif gradient == "nominal":
                grad = 2 * Xb.T @ e / batch_size
            elif gradient == "full":
                grad = 2 * X.T @ (X @ theta - y) / n
            elif gradient == "no 2":
                grad = Xb.T @ e / len(batch)
            theta = theta - sign * lr * grad
            if after:
                batch_losses.append(np.mean((Xb @ theta - yb) ** 2))
        return theta, np.array(batch_losses)
    return epoch


@pytest.mark.parametrize("wrong, keyword", [
    (sgd_variant(gradient="sum"), "sum instead of mean"),
    (sgd_variant(gradient="nominal"), "last, smaller batch divided by batch_size"),
    (sgd_variant(gradient="full"), "full-batch gradient"),
    (sgd_variant(gradient="no 2"), "factor 2"),
    (sgd_variant(order="in order"), "not shuffled"),
    (sgd_variant(sign=-1.0), "wrong sign"),
    (sgd_variant(after=True), "after the update"),
    (sgd_variant(loss="full"), "whole data set"),
    (sgd_variant(loss="sum"), "sum of squared errors"),
    (sgd_variant(drop_last=True), "dropped the last"),
    (sgd_variant(one_step=True), "one step per batch"),
])
def test_sgd_epoch_mistakes(wrong, keyword):
    with np.errstate(all="ignore"):
        assert keyword in fails(check_sgd_epoch, wrong)


def test_sgd_epoch_legacy_rng_is_named():
    def legacy(theta, X, y, lr, batch_size, seed):
        batch_losses = []
        for batch in legacy_rng(len(y), batch_size, seed):
            e = X[batch] @ theta - y[batch]
            batch_losses.append(np.mean(e ** 2))
            theta = theta - lr * 2 * X[batch].T @ e / len(batch)
        return theta, np.array(batch_losses)
    assert "legacy global generator" in fails(check_sgd_epoch, legacy)


def test_sgd_epoch_extra_loss_is_named():
    def extra(theta, X, y, lr, batch_size, seed):
        theta, batch_losses = sgd_epoch(theta, X, y, lr, batch_size, seed)
        return theta, np.append(batch_losses, np.mean((X @ theta - y) ** 2))
    assert "one loss too many" in fails(check_sgd_epoch, extra)


# -- classic mistakes are named: lr_schedule --------------------------------------------------------

@pytest.mark.parametrize("wrong, keyword", [
    (lambda step, lr0, tau: lr0 / (1 + (step + 1) / tau), "off by one"),
    (lambda step, lr0, tau: lr0 / (1 + step * tau), "multiplied by tau"),
    (lambda step, lr0, tau: lr0 / (1 + step // tau), "integer division"),
    (lambda step, lr0, tau: lr0 * math.exp(-step / tau), "exponential decay"),
    (lambda step, lr0, tau: lr0 / math.sqrt(1 + step / tau), "1/√t"),
    (lambda step, lr0, tau: lr0 / (step / tau), "missing the 1 +"),
    (lambda step, lr0, tau: lr0 * (1 - step / tau), "linear decay"),
    (lambda step, lr0, tau: lr0, "is wrong"),
])
def test_lr_schedule_mistakes(wrong, keyword):
    assert keyword in fails(check_lr_schedule, wrong)

