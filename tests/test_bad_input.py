"""Bad input is refused with a ValueError that says what was wrong and what is allowed,
and extreme-but-valid input (logits of +-1e4, +-1e300) gives finite numbers without a warning."""
from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from lossopt import losses, optim

# (loss, gradient, kwargs) for the losses whose two arguments must have one shape
ELEMENTWISE = [
    (losses.mse, losses.mse_grad, {}),
    (losses.mae, losses.mae_grad, {}),
    (losses.huber, losses.huber_grad, dict(delta=1.0)),
    (losses.binary_cross_entropy, losses.binary_cross_entropy_grad, {}),
    (losses.binary_cross_entropy_with_logits, losses.binary_cross_entropy_with_logits_grad, {}),
    (losses.hinge, losses.hinge_grad, {}),
]


def _both(loss, grad):
    return [pytest.param(loss, id=loss.__name__), pytest.param(grad, id=grad.__name__)]


def _valid_pair(fn, shape):
    """A valid (prediction, target) of ``shape`` for an elementwise loss."""
    rng = np.random.default_rng(0)
    if fn.__name__.startswith("hinge"):
        return rng.normal(size=shape), rng.choice([-1, 1], shape)
    return rng.uniform(0.1, 0.9, shape), rng.uniform(0, 1, shape)


def _raises(fn, *args, match_all=(), **kwargs):
    """Call fn, expect a ValueError whose message contains every string in match_all; return the message."""
    with pytest.raises(ValueError) as info:
        fn(*args, **kwargs)
    msg = str(info.value)
    for part in match_all:
        assert part in msg, f"{part!r} missing from the message: {msg}"
    return msg


# ----------------------------------------------------------------------------
# Shapes
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("pred_shape, target_shape", [((5, 1), (5,)), ((5,), (5, 1)), ((4,), (5,)), ((2, 3), (3, 2)),
                                                      ((3,), ())])
@pytest.mark.parametrize("fn", [f for loss, grad, _ in ELEMENTWISE for f in (loss, grad)],
                         ids=[n for loss, grad, _ in ELEMENTWISE for n in (loss.__name__, grad.__name__)])
def test_mismatched_shapes_name_both_shapes(fn, pred_shape, target_shape):
    p, _ = _valid_pair(fn, pred_shape)
    _, t = _valid_pair(fn, target_shape)
    kwargs = dict(delta=1.0) if "huber" in fn.__name__ else {}
    msg = _raises(fn, p, t, match_all=[str(pred_shape), str(target_shape), "never broadcasts"], **kwargs)
    assert "shapes must be equal" in msg


def test_column_against_row_vector_suggests_a_reshape():
    msg = _raises(losses.mse, np.zeros((5, 1)), np.zeros(5))
    assert "reshape" in msg and "(5, 1)" in msg and "(5,)" in msg


@pytest.mark.parametrize("fn", _both(losses.cross_entropy, losses.cross_entropy_grad))
@pytest.mark.parametrize("target", [np.zeros((4, 1), int), np.zeros(3, int), np.zeros((4, 3, 1)), np.zeros((3, 4)),
                                    np.array(2)],
                         ids=["column of labels", "too few labels", "3-d", "transposed probabilities", "scalar"])
def test_cross_entropy_target_shape_says_what_is_allowed(fn, target):
    _raises(fn, np.zeros((4, 3)), target, match_all=["(4, 3)", str(target.shape), "(4,)", "class probabilities"])


@pytest.mark.parametrize("fn", _both(losses.cross_entropy, losses.cross_entropy_grad)
                         + _both(losses.multiclass_hinge, losses.multiclass_hinge_grad))
def test_multiclass_losses_need_2d_scores(fn):
    _raises(fn, np.zeros(3), np.zeros(3, int), match_all=["(N, C)", "(3,)"])


@pytest.mark.parametrize("fn", _both(losses.multiclass_hinge, losses.multiclass_hinge_grad))
def test_multiclass_hinge_target_shape(fn):
    _raises(fn, np.zeros((4, 3)), np.zeros((4, 1), int), match_all=["(4, 3)", "(4, 1)", "(4,)"])


# ----------------------------------------------------------------------------
# Values outside their domain
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("fn", _both(losses.binary_cross_entropy, losses.binary_cross_entropy_grad))
@pytest.mark.parametrize("bad", [1.2, -0.1, np.nan, np.inf])
def test_probabilities_outside_0_1(fn, bad):
    p = np.array([0.2, bad, 0.5])
    msg = _raises(fn, p, np.array([0.0, 1.0, 1.0]), match_all=["prediction", "index 1", "[0, 1]", repr(float(bad))])
    assert "binary_cross_entropy_with_logits" in msg      # points the learner at the logits version


@pytest.mark.parametrize("fn", _both(losses.binary_cross_entropy, losses.binary_cross_entropy_grad)
                         + _both(losses.binary_cross_entropy_with_logits, losses.binary_cross_entropy_with_logits_grad))
@pytest.mark.parametrize("bad", [2.0, -1.0, np.nan])
def test_binary_targets_outside_0_1(fn, bad):
    _raises(fn, np.array([0.2, 0.3]), np.array([1.0, bad]), match_all=["target", "index 1", "[0, 1]"])


@pytest.mark.parametrize("fn", _both(losses.cross_entropy, losses.cross_entropy_grad))
def test_class_probabilities_outside_0_1(fn):
    q = np.array([[0.5, 0.5, 0.0], [1.5, -0.5, 0.0]])
    _raises(fn, np.zeros((2, 3)), q, match_all=["target", "(1, 0)", "[0, 1]", "1.5"])


@pytest.mark.parametrize("fn", _both(losses.hinge, losses.hinge_grad))
@pytest.mark.parametrize("labels", [[1, 0, -1], [1.0, 0.0, -1.0], [1, 2, -1], [1, np.nan, 1]])
def test_hinge_labels_must_be_plus_minus_one(fn, labels):
    msg = _raises(fn, np.zeros(3), np.array(labels), match_all=["index 1", "-1 or +1", "2 * y - 1"])
    assert re.search(r"contains (0|0\.0|2|nan) ", msg), msg


@pytest.mark.parametrize("fn", _both(losses.hinge, losses.hinge_grad))
def test_hinge_labels_must_be_numbers(fn):
    _raises(fn, np.zeros(2), np.array([True, False]), match_all=["-1 and +1", "bool"])


@pytest.mark.parametrize("fn", _both(losses.cross_entropy, losses.cross_entropy_grad)
                         + _both(losses.multiclass_hinge, losses.multiclass_hinge_grad))
@pytest.mark.parametrize("labels, shown", [([0, 3, 1], "class 3"), ([0, -1, 1], "class -1")])
def test_class_index_out_of_range(fn, labels, shown):
    _raises(fn, np.zeros((3, 3)), np.array(labels), match_all=[shown, "index 1", "0..2", "3 classes"])


@pytest.mark.parametrize("fn", _both(losses.cross_entropy, losses.cross_entropy_grad)
                         + _both(losses.multiclass_hinge, losses.multiclass_hinge_grad))
@pytest.mark.parametrize("labels", [np.array([0.0, 1.0, 2.0]), np.array([True, False, True]), np.array(["a", "b", "c"])])
def test_class_indices_must_be_integers(fn, labels):
    msg = _raises(fn, np.zeros((3, 3)), labels, match_all=["integer class indices", "0..2", str(labels.dtype)])
    if labels.dtype.kind == "f":
        assert "astype(int)" in msg


def test_one_hot_checks_its_arguments():
    _raises(losses.one_hot, [0, 1], 2.5, match_all=["num_classes", "positive integer", "2.5"])
    _raises(losses.one_hot, [0, 1], 0, match_all=["num_classes", "positive integer"])
    _raises(losses.one_hot, [[0, 1]], 2, match_all=["1-d", "(1, 2)"])
    _raises(losses.one_hot, [0, 2], 2, match_all=["class 2", "0..1"])


@pytest.mark.parametrize("fn", _both(losses.huber, losses.huber_grad))
@pytest.mark.parametrize("delta", [0.0, -1.0, np.nan, np.inf, "1", True])
def test_huber_delta_must_be_positive(fn, delta):
    _raises(fn, np.zeros(2), np.ones(2), delta=delta, match_all=["delta"])
    if isinstance(delta, float) and np.isfinite(delta):
        _raises(fn, np.zeros(2), np.ones(2), delta=delta, match_all=["(0, inf)", repr(delta)])


@pytest.mark.parametrize("fn", _both(losses.cross_entropy, losses.cross_entropy_grad))
@pytest.mark.parametrize("eps", [-0.1, 1.5])
def test_label_smoothing_range(fn, eps):
    _raises(fn, np.zeros((2, 3)), np.array([0, 1]), label_smoothing=eps, match_all=["label_smoothing", "[0, 1]"])


@pytest.mark.parametrize("fn", _both(losses.multiclass_hinge, losses.multiclass_hinge_grad))
def test_margin_must_not_be_negative(fn):
    _raises(fn, np.zeros((2, 3)), np.array([0, 1]), margin=-1.0, match_all=["margin", "[0, inf)", "-1.0"])


# ----------------------------------------------------------------------------
# Empty and non-numeric arrays
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("fn, kwargs", [(f, kw) for loss, grad, kw in ELEMENTWISE for f in (loss, grad)],
                         ids=[n for loss, grad, _ in ELEMENTWISE for n in (loss.__name__, grad.__name__)])
@pytest.mark.parametrize("shape", [(0,), (3, 0)])
def test_empty_arrays(fn, kwargs, shape):
    _raises(fn, np.zeros(shape), np.ones(shape), match_all=["empty", str(shape), "undefined"], **kwargs)


@pytest.mark.parametrize("fn", _both(losses.cross_entropy, losses.cross_entropy_grad)
                         + _both(losses.multiclass_hinge, losses.multiclass_hinge_grad))
@pytest.mark.parametrize("shape", [(0, 3), (2, 0)])
def test_empty_class_scores(fn, shape):
    _raises(fn, np.zeros(shape), np.zeros(shape[0], int), match_all=["empty", str(shape)])


@pytest.mark.parametrize("bad, what", [(["a", "b"], "real numbers"), ([[1.0, 2.0], [3.0]], "could not be turned"),
                                       (np.array([1 + 1j, 2]), "real numbers"), ([None, 1.0], "real numbers")])
def test_non_numeric_input(bad, what):
    _raises(losses.mse, bad, [1.0, 2.0], match_all=["prediction", what])


# ----------------------------------------------------------------------------
# Optimizer hyperparameters, as torch.optim refuses them
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("cls, kwargs, shown", [
    (optim.SGD, dict(lr=-0.1), "lr"),
    (optim.SGD, dict(momentum=-0.5), "momentum"),
    (optim.SGD, dict(weight_decay=-1e-4), "weight_decay"),
    (optim.RMSprop, dict(lr=-1.0), "lr"),
    (optim.RMSprop, dict(alpha=-0.1), "alpha"),
    (optim.RMSprop, dict(eps=-1e-8), "eps"),
    (optim.RMSprop, dict(momentum=-0.9), "momentum"),
    (optim.RMSprop, dict(weight_decay=-0.1), "weight_decay"),
    (optim.Adagrad, dict(lr=-0.01), "lr"),
    (optim.Adagrad, dict(lr_decay=-0.1), "lr_decay"),
    (optim.Adagrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (optim.Adagrad, dict(eps=-1e-10), "eps"),
    (optim.Adagrad, dict(weight_decay=-0.1), "weight_decay"),
    (optim.Adam, dict(lr=-1e-3), "lr"),
    (optim.Adam, dict(eps=-1e-8), "eps"),
    (optim.Adam, dict(weight_decay=-0.1), "weight_decay"),
    (optim.AdamW, dict(weight_decay=-0.01), "weight_decay"),
])
def test_negative_hyperparameters(cls, kwargs, shown):
    value = next(iter(kwargs.values()))
    _raises(cls, **kwargs, match_all=[shown, "[0, inf)", repr(value)])


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW])
@pytest.mark.parametrize("betas, which", [((1.0, 0.999), "beta1"), ((0.9, 1.0), "beta2"), ((-0.1, 0.999), "beta1"),
                                          ((0.9, 1.5), "beta2")])
def test_betas_outside_0_1(cls, betas, which):
    _raises(cls, betas=betas, match_all=[which, "[0, 1)"])


@pytest.mark.parametrize("betas", [(0.9,), 0.9, (0.9, 0.99, 0.999)])
def test_betas_must_be_a_pair(betas):
    _raises(optim.Adam, betas=betas, match_all=["betas", "pair"])


@pytest.mark.parametrize("kwargs", [dict(nesterov=True), dict(nesterov=True, momentum=0.9, dampening=0.1)])
def test_nesterov_needs_momentum_and_no_dampening(kwargs):
    _raises(optim.SGD, lr=0.1, **kwargs, match_all=["nesterov", "momentum > 0", "dampening = 0"])


@pytest.mark.parametrize("lr", ["0.1", None, np.nan, np.inf, True])
def test_lr_must_be_a_finite_real_number(lr):
    _raises(optim.SGD, lr=lr, match_all=["lr"])


# ----------------------------------------------------------------------------
# Optimizer step: gradients must match the parameters
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [optim.SGD, optim.RMSprop, optim.Adagrad, optim.Adam, optim.AdamW])
def test_gradient_shape_must_match_the_parameter(cls):
    opt = cls(lr=0.1)
    _raises(opt.step, np.zeros((3, 1)), np.zeros(3), match_all=["'param'", "(3,)", "(3, 1)", "must be equal"])
    params = {"weight": np.zeros((2, 3)), "bias": np.zeros(3)}
    grads = {"weight": np.zeros((2, 3)), "bias": np.zeros((1, 3))}
    _raises(opt.step, params, grads, match_all=["'bias'", "(1, 3)", "(3,)"])


def test_a_bad_gradient_changes_no_state():
    opt = optim.Adam(lr=0.1)
    params = {"a": np.ones(2), "b": np.ones(3)}
    params = opt.step(params, {"a": np.ones(2), "b": np.ones(3)})
    before = {n: {k: np.copy(v) for k, v in s.items()} for n, s in opt.state.items()}
    _raises(opt.step, params, {"a": np.ones(2), "b": np.ones(4)}, match_all=["'b'"])
    for n, s in opt.state.items():
        assert s["step"] == 1
        for k, v in s.items():
            np.testing.assert_array_equal(v, before[n][k], err_msg=f"state[{n!r}][{k!r}] changed")


def test_dict_names_must_match():
    opt = optim.SGD(lr=0.1)
    _raises(opt.step, {"w": np.zeros(2), "b": np.zeros(1)}, {"w": np.zeros(2), "bias": np.zeros(1)},
            match_all=["same names", "missing", "'b'", "unexpected", "'bias'"])


def test_dict_against_array():
    opt = optim.SGD(lr=0.1)
    _raises(opt.step, {"w": np.zeros(2)}, np.zeros(2), match_all=["dict", "['w']", "same names"])
    _raises(opt.step, np.zeros(2), {"w": np.zeros(2)}, match_all=["single array", "dict"])


def test_non_numeric_parameters_and_gradients():
    opt = optim.SGD(lr=0.1)
    _raises(opt.step, np.array(["a", "b"]), np.zeros(2), match_all=["parameter 'param'", "real numbers"])
    _raises(opt.step, {"w": np.zeros(2)}, {"w": [None, 1.0]}, match_all=["gradient of 'w'", "real numbers"])


# ----------------------------------------------------------------------------
# Extreme but valid logits: finite, no warnings
# ----------------------------------------------------------------------------

@pytest.fixture
def strict_floats():
    """Every floating-point event an error, every warning an error."""
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def _assert_finite(*xs):
    for x in xs:
        assert np.all(np.isfinite(x)), x


@pytest.mark.parametrize("big", [1e4, 1e300])
def test_binary_cross_entropy_with_logits_at_extreme_logits(strict_floats, big):
    z = np.array([big, -big, big, -big, 0.0, 1.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.3])
    value = losses.binary_cross_entropy_with_logits(z, y)
    grad = losses.binary_cross_entropy_with_logits_grad(z, y)
    _assert_finite(value, grad)
    # confident and right costs 0, confident and wrong costs |z|, gradients are (sigma(z) - y) / n
    assert value == pytest.approx((0 + 0 + big + big + np.log(2) + losses.softplus(1.0) - 0.3) / 6, rel=1e-12)
    np.testing.assert_allclose(grad[:4] * 6, [0.0, 0.0, 1.0, -1.0], atol=0)


@pytest.mark.parametrize("big", [1e4, 1e300])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_cross_entropy_at_extreme_logits(strict_floats, big, label_smoothing):
    z = np.array([[big, -big, 0.0], [-big, big, big], [0.0, 0.0, -big]])
    for target in (np.array([0, 1, 2]), np.array([[1.0, 0, 0], [0, 0.5, 0.5], [0.2, 0.3, 0.5]])):
        value = losses.cross_entropy(z, target, label_smoothing=label_smoothing)
        grad = losses.cross_entropy_grad(z, target, label_smoothing=label_smoothing)
        _assert_finite(value, grad)
        assert value >= 0
        np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)   # sum_c (p_c - q_c) = 0 when sum q = 1


@pytest.mark.parametrize("big", [1e4, 1e300])
def test_hinge_losses_at_extreme_scores(strict_floats, big):
    s = np.array([big, -big, big])
    y = np.array([1, 1, -1])
    _assert_finite(losses.hinge(s, y), losses.hinge_grad(s, y))
    assert losses.hinge(s, y) == pytest.approx((0 + 1 + big + 1 + big) / 3, rel=1e-12)
    S = np.array([[big, -big, 0.0], [-big, big, 0.0]])
    labels = np.array([0, 0])
    _assert_finite(losses.multiclass_hinge(S, labels), losses.multiclass_hinge_grad(S, labels))


@pytest.mark.parametrize("big", [1e4, 1e300])
def test_helpers_at_extreme_logits(strict_floats, big):
    z = np.array([[big, -big, 0.0], [-big, -big, -big]])
    for fn in (losses.sigmoid, losses.log_sigmoid, losses.softplus, losses.softmax, losses.log_softmax,
               losses.logsumexp):
        _assert_finite(fn(z))
    np.testing.assert_array_equal(losses.sigmoid(np.array([big, -big])), [1.0, 0.0])
    np.testing.assert_array_equal(losses.log_sigmoid(np.array([big, -big])), [0.0, -big])
    np.testing.assert_array_equal(losses.softplus(np.array([big, -big])), [big, 0.0])
    np.testing.assert_array_equal(losses.softmax(z)[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(losses.softmax(z)[1], [1 / 3] * 3, rtol=1e-15)


def test_strict_mode_is_restored_after_a_call(strict_floats):
    losses.sigmoid(np.array([-1e4]))
    with pytest.raises(FloatingPointError):
        np.exp(np.array([-1e4]))              # the caller's settings are back in force
