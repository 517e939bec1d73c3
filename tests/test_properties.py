"""Property-based tests (hypothesis): what must hold for every valid input, not just stored ones.

- every loss is >= 0, and 0 (or its minimum) at a perfect prediction;
- every analytic gradient agrees with central finite differences (away from kinks);
- every optimizer decreases a convex quadratic for a small learning rate;
- no function modifies its inputs.

Each test runs a modest number of examples (``max_examples`` below) so the file stays fast.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lossopt import losses, optim

FAST = settings(max_examples=30, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# ----------------------------------------------------------------------------
# Strategies
# ----------------------------------------------------------------------------

shapes = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5)


def reals(lo=-10.0, hi=10.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@st.composite
def pairs(draw, first=reals(), second=reals()):
    """Two float64 arrays of one random shape."""
    shape = draw(shapes)
    return (draw(hnp.arrays(np.float64, shape, elements=first)),
            draw(hnp.arrays(np.float64, shape, elements=second)))


@st.composite
def class_problems(draw, lo=-10.0, hi=10.0):
    """(logits (N, C), integer labels (N,), probability targets (N, C))."""
    n, c = draw(st.integers(1, 5)), draw(st.integers(2, 5))
    z = draw(hnp.arrays(np.float64, (n, c), elements=reals(lo, hi)))
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    w = draw(hnp.arrays(np.float64, (n, c), elements=reals(0.01, 1.0)))
    return z, labels, w / w.sum(axis=1, keepdims=True)


def signs(shape):
    return hnp.arrays(np.int64, shape, elements=st.sampled_from([-1, 1]))


def finite_difference(f, x, h):
    """Central differences of the scalar function f at x, one coordinate at a time."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        g[i] = (f(up) - f(down)) / (2 * h)
    return g


def assert_gradient(f, grad, x, h=1e-6, rtol=1e-5):
    """grad ~ central differences, to rtol of the largest entry plus the differences' own rounding error."""
    fd = finite_difference(f, x, h)
    rounding = 100 * np.finfo(np.float64).eps * max(1.0, abs(f(x))) / h
    np.testing.assert_allclose(grad, fd, rtol=rtol, atol=rtol * np.max(np.abs(grad)) + rounding)


# ----------------------------------------------------------------------------
# Non-negative, and zero (or minimal) at a perfect prediction
# ----------------------------------------------------------------------------

@FAST
@given(pairs(), st.floats(0.01, 5.0))
def test_regression_losses_are_nonnegative_and_zero_at_a_perfect_prediction(pair, delta):
    p, t = pair
    for loss, kw in ((losses.mse, {}), (losses.mae, {}), (losses.huber, dict(delta=delta))):
        assert loss(p, t, **kw) >= 0
        assert loss(t, t, **kw) == 0
        assert np.all(getattr(losses, loss.__name__ + "_grad")(t, t, **kw) == 0)


@FAST
@given(pairs(reals(0, 1), reals(0, 1)))
def test_binary_cross_entropy_is_smallest_at_p_equal_y(pair):
    p, y = pair
    at_truth = losses.binary_cross_entropy(y, y)             # the entropy of y, 0 for hard targets
    assert at_truth >= 0
    assert losses.binary_cross_entropy(p, y) >= at_truth - 1e-12
    hard = np.round(y)
    assert losses.binary_cross_entropy(hard, hard) == 0


@FAST
@given(pairs(reals(-30, 30), reals(0, 1)))
def test_binary_cross_entropy_with_logits_is_smallest_at_the_logit_of_y(pair):
    z, y = pair
    y = np.clip(y, 1e-6, 1 - 1e-6)
    best = np.log(y) - np.log1p(-y)                           # sigma(best) = y
    assert losses.binary_cross_entropy_with_logits(z, y) >= losses.binary_cross_entropy_with_logits(best, y) - 1e-12
    hard = np.round(y)
    confident = 50.0 * (2 * hard - 1)                          # large logits of the right sign
    assert 0 <= losses.binary_cross_entropy_with_logits(confident, hard) < 1e-20


@FAST
@given(class_problems(), st.floats(0, 1))
def test_cross_entropy_is_nonnegative_and_vanishes_for_large_correct_logits(problem, eps):
    z, labels, q = problem
    assert losses.cross_entropy(z, labels) >= 0
    assert losses.cross_entropy(z, q, label_smoothing=eps) >= 0
    onehot = losses.one_hot(labels, z.shape[1])
    for big in (10.0, 40.0):
        confident = big * onehot
        c = z.shape[1]
        value = losses.cross_entropy(confident, onehot)
        assert 0 <= value <= (c - 1) * np.exp(-big) * (1 + 1e-12)   # log(1 + (C-1) e^-big)
        assert value == pytest.approx(losses.cross_entropy(confident, labels), rel=1e-12, abs=1e-300)
    # with probability targets the minimum is at softmax(z) = q, where the loss is q's entropy
    entropy = -np.sum(q * np.log(q)) / z.shape[0]
    assert losses.cross_entropy(z, q) >= entropy - 1e-12
    assert losses.cross_entropy(np.log(q), q) == pytest.approx(entropy, rel=1e-12, abs=1e-12)


@FAST
@given(shapes.flatmap(lambda s: st.tuples(hnp.arrays(np.float64, s, elements=reals()), signs(s))))
def test_hinge_is_nonnegative_and_zero_once_the_margin_reaches_1(case):
    s, y = case
    assert losses.hinge(s, y) >= 0
    safe = y * (1.0 + np.abs(s))                              # margin y s >= 1
    assert losses.hinge(safe, y) == 0
    assert np.all(losses.hinge_grad(safe, y) == 0)
    assert losses.hinge(y.astype(float), y) == 0              # exactly at the kink


@FAST
@given(class_problems(), st.floats(0, 3))
def test_multiclass_hinge_is_nonnegative_and_zero_with_enough_margin(problem, margin):
    z, labels, _ = problem
    assert losses.multiclass_hinge(z, labels, margin=margin) >= 0
    onehot = losses.one_hot(labels, z.shape[1])
    separated = z + onehot * (np.ptp(z) + margin + 1.0)        # true class ahead of every other by > margin
    assert losses.multiclass_hinge(separated, labels, margin=margin) == 0
    assert np.all(losses.multiclass_hinge_grad(separated, labels, margin=margin) == 0)


# ----------------------------------------------------------------------------
# Analytic gradients against central finite differences
# ----------------------------------------------------------------------------

H = 1e-6


@FAST
@given(pairs(), st.floats(0.1, 5.0))
def test_regression_gradients_match_finite_differences(pair, delta):
    p, t = pair
    e = np.abs(p - t)
    assert_gradient(lambda x: losses.mse(x, t), losses.mse_grad(p, t), p)
    assume(np.all(e > 10 * H))                                 # |e| is a kink of the absolute value
    assert_gradient(lambda x: losses.mae(x, t), losses.mae_grad(p, t), p)
    assume(np.all(np.abs(e - delta) > 10 * H))                 # |e| = delta joins the two pieces of huber
    assert_gradient(lambda x: losses.huber(x, t, delta=delta), losses.huber_grad(p, t, delta=delta), p)


@FAST
@given(pairs(reals(0.01, 0.99), reals(0, 1)))
def test_binary_cross_entropy_gradient_matches_finite_differences(pair):
    p, y = pair
    assert_gradient(lambda x: losses.binary_cross_entropy(x, y), losses.binary_cross_entropy_grad(p, y), p, h=1e-7)


@FAST
@given(pairs(reals(-30, 30), reals(0, 1)))
def test_binary_cross_entropy_with_logits_gradient_matches_finite_differences(pair):
    z, y = pair
    assert_gradient(lambda x: losses.binary_cross_entropy_with_logits(x, y),
                    losses.binary_cross_entropy_with_logits_grad(z, y), z)


@FAST
@given(class_problems(), st.floats(0, 1))
def test_cross_entropy_gradient_matches_finite_differences(problem, eps):
    z, labels, q = problem
    for target in (labels, q):
        assert_gradient(lambda x: losses.cross_entropy(x, target, label_smoothing=eps),
                        losses.cross_entropy_grad(z, target, label_smoothing=eps), z)


@FAST
@given(shapes.flatmap(lambda s: st.tuples(hnp.arrays(np.float64, s, elements=reals(-5, 5)), signs(s))))
def test_hinge_gradient_matches_finite_differences(case):
    s, y = case
    assume(np.all(np.abs(1 - y * s) > 10 * H))
    assert_gradient(lambda x: losses.hinge(x, y), losses.hinge_grad(s, y), s)


@FAST
@given(class_problems(-5, 5), st.floats(0, 3))
def test_multiclass_hinge_gradient_matches_finite_differences(problem, margin):
    z, labels, _ = problem
    rows = np.arange(z.shape[0])
    terms = margin - z[rows, labels][:, None] + z
    terms[rows, labels] = 1.0                                 # the true class is not a term
    assume(np.all(np.abs(terms) > 10 * H))
    assert_gradient(lambda x: losses.multiclass_hinge(x, labels, margin=margin),
                    losses.multiclass_hinge_grad(z, labels, margin=margin), z)


# ----------------------------------------------------------------------------
# Optimizers decrease a convex quadratic for a small learning rate
# ----------------------------------------------------------------------------

OPTIMIZERS = {
    "SGD": lambda d: optim.SGD(lr=d(st.floats(1e-3, 0.05)), momentum=d(st.floats(0, 0.5))),
    "Nesterov": lambda d: optim.SGD(lr=d(st.floats(1e-3, 0.05)), momentum=d(st.floats(0.01, 0.5)), nesterov=True),
    "RMSprop": lambda d: optim.RMSprop(lr=d(st.floats(1e-4, 1e-3)), alpha=d(st.floats(0.9, 0.999)),
                                       momentum=d(st.floats(0, 0.5)), centered=d(st.booleans())),
    "Adagrad": lambda d: optim.Adagrad(lr=d(st.floats(1e-3, 0.05)), lr_decay=d(st.floats(0, 0.1)),
                                       initial_accumulator_value=d(st.floats(0, 1))),
    "Adam": lambda d: optim.Adam(lr=d(st.floats(1e-4, 0.01)), betas=(d(st.floats(0.5, 0.95)), d(st.floats(0.9, 0.9999))),
                                 amsgrad=d(st.booleans())),
    "AdamW": lambda d: optim.AdamW(lr=d(st.floats(1e-4, 0.01)), weight_decay=d(st.floats(0, 0.1))),
}


@FAST
@given(st.sampled_from(sorted(OPTIMIZERS)), st.data())
def test_optimizers_decrease_a_convex_quadratic(name, data):
    shape = data.draw(shapes, label="shape")
    minimum = data.draw(hnp.arrays(np.float64, shape, elements=reals(-3, 3)), label="minimum")
    distance = data.draw(hnp.arrays(np.float64, shape, elements=reals(0.5, 3)), label="distance")
    sign = data.draw(signs(shape), label="sign")
    curvature = data.draw(hnp.arrays(np.float64, shape, elements=reals(0.5, 2)), label="curvature")
    opt = OPTIMIZERS[name](data.draw)

    def f(theta):
        return 0.5 * np.sum(curvature * (theta - minimum) ** 2)

    theta = minimum + sign * distance
    values = [f(theta)]
    for _ in range(20):
        theta = opt.step(theta, curvature * (theta - minimum))
        values.append(f(theta))
    assert values[-1] < values[0], (opt, values)
    if name in ("Adagrad", "Adam", "AdamW") or (name == "SGD" and opt.momentum == 0):
        assert all(b < a for a, b in zip(values, values[1:])), (opt, values)   # no overshoot at these step sizes


# ----------------------------------------------------------------------------
# Inputs are never modified
# ----------------------------------------------------------------------------

def _unchanged(fn, *args, **kwargs):
    copies = [np.array(a, copy=True) for a in args]
    fn(*args, **kwargs)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c, err_msg=f"{fn.__name__} modified an input")


@FAST
@given(pairs(reals(0, 1), reals(0, 1)), class_problems(), st.floats(0.1, 2))
def test_losses_never_modify_their_inputs(pair, problem, delta):
    p, y = pair
    z, labels, q = problem
    for name in ("mse", "mae", "binary_cross_entropy", "binary_cross_entropy_with_logits"):
        _unchanged(getattr(losses, name), p, y)
        _unchanged(getattr(losses, name + "_grad"), p, y)
    _unchanged(losses.huber, p, y, delta=delta)
    _unchanged(losses.huber_grad, p, y, delta=delta)
    s = np.where(y > 0.5, 1, -1)
    _unchanged(losses.hinge, p, s)
    _unchanged(losses.hinge_grad, p, s)
    for target in (labels, q):
        _unchanged(losses.cross_entropy, z, target, label_smoothing=0.1)
        _unchanged(losses.cross_entropy_grad, z, target, label_smoothing=0.1)
    _unchanged(losses.multiclass_hinge, z, labels)
    _unchanged(losses.multiclass_hinge_grad, z, labels)
    for helper in (losses.sigmoid, losses.softplus, losses.log_sigmoid, losses.softmax, losses.log_softmax,
                   losses.logsumexp):
        _unchanged(helper, z)


@FAST
@given(st.sampled_from(["SGD", "RMSprop", "Adagrad", "Adam", "AdamW"]), pairs(), st.booleans())
def test_optimizers_never_modify_params_or_grads(name, pair, as_dict):
    theta, g = pair
    opt = getattr(optim, name)(lr=0.1, weight_decay=0.1, **({"momentum": 0.9} if name in ("SGD", "RMSprop") else {}))
    for _ in range(3):
        if as_dict:
            params, grads = {"w": theta, "b": theta[..., :1]}, {"w": g, "b": g[..., :1]}
            copies = {k: v.copy() for k, v in {**params, **{"g" + k: v for k, v in grads.items()}}.items()}
            new = opt.step(params, grads)
            for k in params:
                np.testing.assert_array_equal(params[k], copies[k])
                np.testing.assert_array_equal(grads[k], copies["g" + k])
                assert not np.shares_memory(new[k], theta) and not np.shares_memory(new[k], g)
        else:
            theta_copy, g_copy = theta.copy(), g.copy()
            new = opt.step(theta, g)
            np.testing.assert_array_equal(theta, theta_copy)
            np.testing.assert_array_equal(g, g_copy)
            assert not np.shares_memory(new, theta) and not np.shares_memory(new, g)
