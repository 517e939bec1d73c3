"""Tests of the lesson 02 (cross-entropy) exercise checks.

The reference solutions of bce_with_logits, bce_with_logits_grad, softmax_cross_entropy
and train_logistic_regression pass with one ✔ line; NaN, wrong shapes, pairs and triples
that are not, and changed inputs fail; every classic mistake (overflowing sigmoid, wrong
axis, missing mean, ...) is named in the hint. A stub, None, a crash and None or a string
returned: test_checks_contract.py, for every check.
"""
from __future__ import annotations

import numpy as np
import pytest

from lossopt import losses
from lossopt.checks import (check_bce_with_logits, check_bce_with_logits_grad, check_softmax_cross_entropy,
                            check_train_logistic_regression)

from checkutil import fails, passes, zeroing_first_input


# -- reference solutions, written as a learner would (plain numpy) ---------------------------------

def bce_with_logits(z, y):
    return np.mean((1 - y) * z + np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z))))


def stable_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def bce_with_logits_grad(z, y):
    return (stable_sigmoid(z) - y) / z.size


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.mean(log_p[np.arange(n), labels])
    grad = np.exp(log_p)
    grad[np.arange(n), labels] -= 1
    return loss, grad / n


def train_logistic_regression(X, y, lr, steps):
    w, b, history = np.zeros(X.shape[1]), 0.0, []
    for _ in range(steps):
        z = X @ w + b
        history.append(bce_with_logits(z, y))
        g = bce_with_logits_grad(z, y)
        w = w - lr * X.T @ g
        b = b - lr * g.sum()
    return w, b, history


CHECKS = {
    "bce_with_logits": (check_bce_with_logits, bce_with_logits),
    "bce_with_logits_grad": (check_bce_with_logits_grad, bce_with_logits_grad),
    "softmax_cross_entropy": (check_softmax_cross_entropy, softmax_cross_entropy),
    "train_logistic_regression": (check_train_logistic_regression, train_logistic_regression),
}


# -- every check: the right answer passes, changing an input fails ---------------------------------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

@pytest.mark.parametrize("name", CHECKS)
def test_reference_passes_with_one_line(name, capsys):
    check, answer = CHECKS[name]
    passes(check, answer, capsys)


@pytest.mark.parametrize("name", CHECKS)
def test_mutating_the_input_fails(name):
    check, answer = CHECKS[name]
    fails(check, zeroing_first_input(answer), "changed one of its inputs")


@pytest.mark.parametrize("junk,words", [(float("nan"), ["NaN"]), ({"a": 1}, ["dict"])])
def test_bce_junk_results(junk, words):
    fails(check_bce_with_logits, lambda z, y: junk, *words)
    fails(check_bce_with_logits_grad, lambda z, y: junk)


def test_bce_wrong_shapes():
    fails(check_bce_with_logits, lambda z, y: (1 - y) * z + np.logaddexp(0, -z), "one number", "mean")
    fails(check_bce_with_logits_grad, lambda z, y: np.mean(bce_with_logits_grad(z, y)), "shape")
    fails(check_bce_with_logits_grad, lambda z, y: bce_with_logits_grad(z, y).reshape(-1, 1), "shape",
          "wrong shape")


def test_softmax_junk_results():
    fails(check_softmax_cross_entropy, lambda z, y: None, "pair")
    fails(check_softmax_cross_entropy, lambda z, y: softmax_cross_entropy(z, y)[0], "pair")
    fails(check_softmax_cross_entropy, lambda z, y: ("1.0", softmax_cross_entropy(z, y)[1]), "string")
    fails(check_softmax_cross_entropy, lambda z, y: (float("nan"), softmax_cross_entropy(z, y)[1]), "NaN")
    fails(check_softmax_cross_entropy, lambda z, y: (softmax_cross_entropy(z, y)[0], None), "None")
    fails(check_softmax_cross_entropy,
          lambda z, y: (softmax_cross_entropy(z, y)[0], softmax_cross_entropy(z, y)[1][:, :1]), "shape")
    fails(check_softmax_cross_entropy,
          lambda z, y: (softmax_cross_entropy(z, y)[0], softmax_cross_entropy(z, y)[1].T), "shape")


def test_train_junk_results():
    fails(check_train_logistic_regression, lambda X, y, lr, steps: None, "triple")
    fails(check_train_logistic_regression, lambda X, y, lr, steps: train_logistic_regression(X, y, lr, steps)[:2],
          "triple")
    fails(check_train_logistic_regression,
          lambda X, y, lr, steps: (np.full(X.shape[1], np.nan), 0.0, [0.0] * steps), "NaN")
    fails(check_train_logistic_regression,
          lambda X, y, lr, steps: (*train_logistic_regression(X, y, lr, steps)[:2], "loss"), "history")


# -- classic mistakes, exercise 1 -----------------------------------------------------------------

def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_bce_naive_log_sigmoid_overflows():
    def naive(z, y):
        p = naive_sigmoid(z)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    with np.errstate(all="ignore"):
        fails(check_bce_with_logits, naive, "inf", "softplus")


def test_bce_clipped_probabilities():
    def clipped(z, y):
        p = np.clip(stable_sigmoid(z), 1e-7, 1 - 1e-7)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    fails(check_bce_with_logits, clipped, "clipping the probabilities")


def test_bce_missing_mean():
    fails(check_bce_with_logits, lambda z, y: bce_with_logits(z, y) * z.size, "missing the 1/N")


def test_bce_wrong_sign():
    fails(check_bce_with_logits, lambda z, y: -bce_with_logits(z, y), "wrong sign")


def test_bce_targets_swapped():
    fails(check_bce_with_logits, lambda z, y: bce_with_logits(z, 1 - y), "swapped")


def test_bce_fails_only_for_fractional_targets():
    # right for 0/1 targets, wrong for y = 0.5: only the fractional cases catch it
    def binary_only(z, y):
        return np.mean(np.where(y > 0.5, np.logaddexp(0, -z), np.logaddexp(0, z)))
    fails(check_bce_with_logits, binary_only, "fractional")


def test_bce_grad_missing_mean():
    fails(check_bce_with_logits_grad, lambda z, y: stable_sigmoid(z) - y, "missing the 1/N")


def test_bce_grad_wrong_sign():
    fails(check_bce_with_logits_grad, lambda z, y: (y - stable_sigmoid(z)) / z.size, "wrong sign")


def test_bce_grad_with_respect_to_p():
    def wrt_p(z, y):
        p = stable_sigmoid(z)
        return (p - y) / (p * (1 - p)) / z.size
    with np.errstate(all="ignore"):
        fails(check_bce_with_logits_grad, wrt_p, "probability p")


def test_bce_grad_rows_instead_of_elements():
    fails(check_bce_with_logits_grad, lambda z, y: (stable_sigmoid(z) - y) / z.shape[0], "number of rows")


def test_bce_grad_overflowing_sigmoid():
    def overflow(z, y):
        return (np.exp(z) / (1 + np.exp(z)) - y) / z.size
    with np.errstate(all="ignore"):
        fails(check_bce_with_logits_grad, overflow, "NaN", "overflows")


def test_bce_grad_with_fractional_target_ignored():
    fails(check_bce_with_logits_grad, lambda z, y: (stable_sigmoid(z) - np.round(y)) / z.size, "fractional")


# -- classic mistakes, exercise 2 -----------------------------------------------------------------

def test_softmax_no_max_shift():
    def naive(z, y):
        n = len(y)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        g = p.copy()
        g[np.arange(n), y] -= 1
        return -np.mean(np.log(p[np.arange(n), y])), g / n
    with np.errstate(all="ignore"):
        fails(check_softmax_cross_entropy, naive, "max-shift", "1000")


def test_softmax_sum_instead_of_mean():
    fails(check_softmax_cross_entropy,
          lambda z, y: (softmax_cross_entropy(z, y)[0] * len(y), softmax_cross_entropy(z, y)[1]), "sum instead of mean")


def test_softmax_mean_over_all_entries():
    fails(check_softmax_cross_entropy,
          lambda z, y: (softmax_cross_entropy(z, y)[0] / z.shape[1], softmax_cross_entropy(z, y)[1]), "N·C")


def test_softmax_grad_missing_mean():
    fails(check_softmax_cross_entropy,
          lambda z, y: (softmax_cross_entropy(z, y)[0], softmax_cross_entropy(z, y)[1] * len(y)), "missing the 1/N")


def test_softmax_grad_wrong_sign():
    fails(check_softmax_cross_entropy,
          lambda z, y: (softmax_cross_entropy(z, y)[0], -softmax_cross_entropy(z, y)[1]), "wrong sign")


def test_softmax_loss_wrong_sign():
    fails(check_softmax_cross_entropy,
          lambda z, y: (-softmax_cross_entropy(z, y)[0], softmax_cross_entropy(z, y)[1]), "wrong sign")


def test_softmax_wrong_axis():
    def axis0(z, y):
        n = len(y)
        shifted = z - z.max(axis=0, keepdims=True)
        p = np.exp(shifted) / np.exp(shifted).sum(axis=0, keepdims=True)
        g = p.copy()
        g[np.arange(n), y] -= 1
        with np.errstate(divide="ignore"):
            return -np.mean(np.log(p[np.arange(n), y])), g / n
    fails(check_softmax_cross_entropy, axis0, "wrong axis")


def test_softmax_grad_wrong_axis_only():
    def axis0_grad(z, y):
        n = len(y)
        p = losses.softmax(z, axis=0)
        g = p.copy()
        g[np.arange(n), y] -= 1
        return softmax_cross_entropy(z, y)[0], g / n
    fails(check_softmax_cross_entropy, axis0_grad, "wrong axis")


def test_softmax_grad_forgot_onehot():
    fails(check_softmax_cross_entropy,
          lambda z, y: (softmax_cross_entropy(z, y)[0], losses.softmax(z) / len(y)), "one-hot")


def test_softmax_twice():
    fails(check_softmax_cross_entropy,
          lambda z, y: softmax_cross_entropy(losses.softmax(z), y), "softmax applied twice")


def test_softmax_ties_broken_wrongly():
    # a "hard max" shortcut that is right only when the labelled logit is far ahead
    def argmax_shortcut(z, y):
        loss, grad = softmax_cross_entropy(z, y)
        tie = (z == z.max(axis=1, keepdims=True)).sum(axis=1) > 1
        return (loss + 0.1 * tie.any()), grad
    fails(check_softmax_cross_entropy, argmax_shortcut, "ties")


# -- classic mistakes, exercise 3 -----------------------------------------------------------------

def make_trainer(after=False, double_mean=False, ascent=False, no_bias=False, zeros=True):
    def train(X, y, lr, steps):
        w = np.zeros(X.shape[1]) if zeros else np.full(X.shape[1], 0.01)
        b, history = 0.0, []
        for _ in range(steps):
            z = X @ w + b
            if not after:
                history.append(bce_with_logits(z, y))
            g = bce_with_logits_grad(z, y) / (len(y) if double_mean else 1)
            sign = -1 if ascent else 1
            w = w - sign * lr * X.T @ g
            if not no_bias:
                b = b - sign * lr * g.sum()
            if after:
                history.append(bce_with_logits(X @ w + b, y))
        return w, b, history
    return train


@pytest.mark.parametrize("kwargs,words", [
    ({"after": True}, ["after the update"]),
    ({"double_mean": True}, ["divided by N twice"]),
    ({"ascent": True}, ["gradient ascent"]),
    ({"no_bias": True}, ["bias"]),
    ({"zeros": False}, ["w = zeros"]),
])
def test_train_mistakes(kwargs, words):
    fails(check_train_logistic_regression, make_trainer(**kwargs), *words)


def test_train_one_step_short():
    fails(check_train_logistic_regression,
          lambda X, y, lr, steps: (*train_logistic_regression(X, y, lr, steps)[:2],
                                   train_logistic_regression(X, y, lr, steps)[2][1:]), "one loss per step")
