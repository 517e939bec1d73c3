r"""Loss functions and their gradients, written as the formulas in the lessons.

Every loss ``name(prediction, target, ...)`` returns the *mean* over elements
(or rows, for the classification losses), as PyTorch's default
``reduction='mean'`` does, and has a twin ``name_grad(prediction, target, ...)``
that returns :math:`\partial L / \partial \text{prediction}` with the shape of the
prediction. Values and gradients agree with PyTorch (``torch.nn.functional``)
and scikit-learn to about 1e-12 relative in float64; ``tests/`` checks it.

Notation: :math:`e = \hat y - y` is the residual, :math:`n` the number of
elements, :math:`N` the number of rows, :math:`C` the number of classes,
:math:`\sigma` the sigmoid and :math:`p = \mathrm{softmax}(z)`.

Shapes are never broadcast: a prediction of shape (N, 1) against a target of
shape (N,) is a ``ValueError``, not an (N, N) matrix of nonsense.

Functions that exponentiate are decorated with ``@_underflow_is_zero``: for a
logit of -1000, :math:`e^{-1000}` rounding to 0 is the right answer, so it is
not reported even under ``np.errstate(all="raise")``. Overflow, division by zero
and invalid operations are still reported as usual.
"""
from __future__ import annotations

import functools

import numpy as np

from ._validate import (as_float_array, first_index, require_in_range, require_nonempty,
                        require_number, require_same_shape)

__all__ = [
    "sigmoid", "log_sigmoid", "softplus", "logsumexp", "softmax", "log_softmax", "one_hot",
    "mse", "mse_grad", "mae", "mae_grad", "huber", "huber_grad",
    "binary_cross_entropy", "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_grad",
    "cross_entropy", "cross_entropy_grad",
    "hinge", "hinge_grad", "multiclass_hinge", "multiclass_hinge_grad",
]


# ----------------------------------------------------------------------------
# Numerically stable helpers
# ----------------------------------------------------------------------------

def _underflow_is_zero(func):
    """Decorator: run ``func`` with floating-point underflow ignored.

    :math:`e^{-1000}` rounding to 0 is the right answer, not an error. (A fresh
    ``np.errstate`` per call, so nested and concurrent calls restore the
    caller's settings correctly with any numpy version.)
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(under="ignore"):
            return func(*args, **kwargs)
    return wrapper


@_underflow_is_zero
def sigmoid(z):
    r"""Logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`, any shape.

    Computed as :math:`\sigma(z) = e^{\min(z, 0)} / (1 + e^{-|z|})`, which is
    :math:`1/(1+e^{-z})` for :math:`z \ge 0` and :math:`e^{z}/(1+e^{z})` for
    :math:`z < 0`: no exponent is ever positive, so nothing overflows.
    """
    z = as_float_array(z, "z")
    return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))


@_underflow_is_zero
def softplus(z):
    r"""Softplus :math:`\log(1 + e^{z}) = \max(z, 0) + \log(1 + e^{-|z|})`, finite for any finite z."""
    z = as_float_array(z, "z")
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def log_sigmoid(z):
    r""":math:`\log \sigma(z) = -\mathrm{softplus}(-z)`, finite for any finite z.

    The naive ``np.log(sigmoid(z))`` gives ``-inf`` once :math:`\sigma(z)`
    rounds to 0 (z below about -745).
    """
    return -softplus(-as_float_array(z, "z"))


@_underflow_is_zero
def logsumexp(z, axis=-1):
    r""":math:`\log \sum_j e^{z_j} = m + \log \sum_j e^{z_j - m}` with :math:`m = \max_j z_j` (no overflow)."""
    z = as_float_array(z, "z")
    m = np.max(z, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(z - m), axis=axis))


@_underflow_is_zero
def log_softmax(z, axis=-1):
    r""":math:`\log \mathrm{softmax}(z)_j = (z_j - m) - \log \sum_k e^{z_k - m}`, :math:`m = \max_k z_k`."""
    z = as_float_array(z, "z")
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


@_underflow_is_zero
def softmax(z, axis=-1):
    r""":math:`\mathrm{softmax}(z)_j = e^{z_j - m} / \sum_k e^{z_k - m}`, rows sum to 1, no overflow."""
    z = as_float_array(z, "z")
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def one_hot(labels, num_classes: int):
    """(N,) integer labels -> (N, C) float array with a single 1 per row."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    labels = _class_indices(labels, int(num_classes), "labels")
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-d array of class indices, got shape {labels.shape}")
    out = np.zeros((labels.shape[0], num_classes))
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


# ----------------------------------------------------------------------------
# Regression losses
# ----------------------------------------------------------------------------

def _residual(prediction, target):
    """e = prediction - target, after checking both are non-empty arrays of one shape."""
    p = as_float_array(prediction, "prediction")
    t = as_float_array(target, "target")
    require_same_shape(p, t, "prediction", "target")
    require_nonempty(p, "prediction")
    return p - t


def mse(prediction, target) -> float:
    r"""Mean squared error :math:`L = \frac{1}{n}\sum_i (\hat y_i - y_i)^2`.

    Shapes: prediction and target of one shape (any), n = number of elements.
    No factor 1/2 (PyTorch ``F.mse_loss``; optax's ``l2_loss`` has one).
    """
    e = _residual(prediction, target)
    return float(np.mean(e ** 2))


def mse_grad(prediction, target):
    r""":math:`\partial L/\partial \hat y_i = 2 e_i / n`, same shape as prediction."""
    e = _residual(prediction, target)
    return 2.0 * e / e.size


def mae(prediction, target) -> float:
    r"""Mean absolute error :math:`L = \frac{1}{n}\sum_i |\hat y_i - y_i|` (PyTorch ``F.l1_loss``)."""
    e = _residual(prediction, target)
    return float(np.mean(np.abs(e)))


def mae_grad(prediction, target):
    r""":math:`\partial L/\partial \hat y_i = \mathrm{sign}(e_i)/n`, with the subgradient 0 at :math:`e_i = 0`."""
    e = _residual(prediction, target)
    return np.sign(e) / e.size


def huber(prediction, target, delta: float = 1.0) -> float:
    r"""Huber loss, quadratic near zero and linear in the tails.

    .. math::
        \ell_\delta(e) = \begin{cases} \tfrac12 e^2 & |e| < \delta \\
                                      \delta(|e| - \tfrac12\delta) & \text{otherwise}\end{cases},
        \qquad L = \frac1n \sum_i \ell_\delta(e_i)

    ``delta > 0``. Equals PyTorch ``F.huber_loss(prediction, target, delta=delta)``;
    ``F.smooth_l1_loss(beta=delta)`` is this divided by delta.
    Reference: Huber (1964), Robust estimation of a location parameter.
    """
    delta = require_number(delta, "delta", low=0.0, low_open=True)
    e = _residual(prediction, target)
    a = np.abs(e)
    return float(np.mean(np.where(a < delta, 0.5 * e ** 2, delta * (a - 0.5 * delta))))


def huber_grad(prediction, target, delta: float = 1.0):
    r""":math:`\partial L/\partial \hat y_i = \mathrm{clip}(e_i, -\delta, \delta)/n`: the residual, clipped."""
    delta = require_number(delta, "delta", low=0.0, low_open=True)
    e = _residual(prediction, target)
    return np.clip(e, -delta, delta) / e.size


# ----------------------------------------------------------------------------
# Binary classification
# ----------------------------------------------------------------------------

def _probabilities_and_targets(prediction, target):
    p = as_float_array(prediction, "prediction")
    y = as_float_array(target, "target")
    require_same_shape(p, y, "prediction", "target")
    require_nonempty(p, "prediction")
    require_in_range(p, 0.0, 1.0, "prediction", "probabilities",
                     " (for raw scores use binary_cross_entropy_with_logits)")
    require_in_range(y, 0.0, 1.0, "target", "targets")
    return p, y


def binary_cross_entropy(prediction, target) -> float:
    r"""Binary cross-entropy on probabilities.

    .. math:: L = -\frac1n \sum_i \big[y_i \log p_i + (1-y_i)\log(1-p_i)\big]

    prediction p in [0, 1], target y in [0, 1], same shape. As in PyTorch's
    ``F.binary_cross_entropy``, each log is clamped at -100 so that p = 0 or 1
    costs at most 100 instead of infinity.
    """
    p, y = _probabilities_and_targets(prediction, target)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_1mp = np.maximum(np.log1p(-p), -100.0)
    return float(-np.mean(y * log_p + (1.0 - y) * log_1mp))


def binary_cross_entropy_grad(prediction, target):
    r""":math:`\partial L/\partial p_i = \frac{p_i - y_i}{p_i(1-p_i)}\cdot\frac1n`, denominator floored at 1e-12 (PyTorch)."""
    p, y = _probabilities_and_targets(prediction, target)
    return (p - y) / np.maximum(p * (1.0 - p), _BCE_EPSILON) / p.size


# PyTorch's floor is the float32 constant 1e-12 (= 9.9999999600e-13 in float64).
_BCE_EPSILON = float(np.float32(1e-12))


def _logits_and_targets(logits, target):
    z = as_float_array(logits, "logits")
    y = as_float_array(target, "target")
    require_same_shape(z, y, "logits", "target")
    require_nonempty(z, "logits")
    require_in_range(y, 0.0, 1.0, "target", "targets")
    return z, y


@_underflow_is_zero
def binary_cross_entropy_with_logits(logits, target) -> float:
    r"""Binary cross-entropy on logits z (raw scores), finite for any finite z.

    .. math:: L = \frac1n\sum_i \big[(1-y_i) z_i - \log\sigma(z_i)\big],
              \qquad -\log\sigma(z) = \mathrm{softplus}(-z)

    which is the cross-entropy of :math:`\sigma(z)`, rearranged so that no
    logarithm of 0 is ever taken (PyTorch ``F.binary_cross_entropy_with_logits``).
    """
    z, y = _logits_and_targets(logits, target)
    return float(np.mean((1.0 - y) * z + softplus(-z)))


@_underflow_is_zero
def binary_cross_entropy_with_logits_grad(logits, target):
    r""":math:`\partial L/\partial z_i = (\sigma(z_i) - y_i)/n`."""
    z, y = _logits_and_targets(logits, target)
    return (sigmoid(z) - y) / z.size


# ----------------------------------------------------------------------------
# Multi-class classification
# ----------------------------------------------------------------------------

def _class_indices(target, num_classes: int, name: str = "target"):
    t = np.asarray(target)
    if t.dtype.kind == "b" or t.dtype.kind not in "iu":
        hint = " (use target.astype(int))" if t.dtype.kind == "f" else ""
        raise ValueError(f"{name} must hold integer class indices in 0..{num_classes - 1}, "
                         f"got dtype {t.dtype}{hint}")
    bad = (t < 0) | (t >= num_classes)
    if bad.any():
        i = first_index(bad)
        raise ValueError(f"{name} contains class {t[i].item()} at index {i}: class indices must lie in "
                         f"0..{num_classes - 1} for {num_classes} classes")
    return t


def _logits_2d(logits, name: str = "logits"):
    z = as_float_array(logits, name)
    if z.ndim != 2:
        raise ValueError(f"{name} must have shape (N, C), one row of class scores per example; got shape {z.shape}")
    require_nonempty(z, name)
    return z


def _targets(logits, target, label_smoothing):
    """(z, labels, q, eps): integer targets come back as ``labels`` (q is None), probabilities as ``q``."""
    eps = require_number(label_smoothing, "label_smoothing", low=0.0, high=1.0)
    z = _logits_2d(logits)
    n, c = z.shape
    t = np.asarray(target)
    if t.shape not in ((n,), (n, c)):
        raise ValueError(f"logits has shape {z.shape} but target has shape {t.shape}: "
                         f"integer class indices need shape ({n},), class probabilities shape ({n}, {c})")
    if t.ndim == 1:
        return z, _class_indices(t, c), None, eps
    q = as_float_array(t, "target")
    require_in_range(q, 0.0, 1.0, "target", "class probabilities")
    if eps > 0:
        q = (1.0 - eps) * q + eps / c
    return z, None, q, eps


@_underflow_is_zero
def cross_entropy(logits, target, label_smoothing: float = 0.0) -> float:
    r"""Softmax cross-entropy, averaged over rows.

    .. math:: L = -\frac1N \sum_{i=1}^N \sum_{c=1}^C q_{ic}\,\log p_{ic}, \qquad p_i = \mathrm{softmax}(z_i)

    logits z: (N, C). target: (N, C) class probabilities q, or (N,) integer
    class indices y, for which q is one-hot and the sum over c picks out
    :math:`L = -\frac1N \sum_i \log p_{i,y_i}`.
    ``label_smoothing`` :math:`\varepsilon` replaces q by :math:`(1-\varepsilon)q + \varepsilon/C`;
    for integer targets that makes
    :math:`L = (1-\varepsilon)\,(-\frac1N\sum_i \log p_{i,y_i}) - \varepsilon\,\mathrm{mean}_{i,c}\log p_{ic}`.
    Equals PyTorch ``F.cross_entropy(logits, target, label_smoothing=ε)``.
    The log-softmax subtracts each row's maximum first (log-sum-exp trick).
    """
    z, labels, q, eps = _targets(logits, target, label_smoothing)
    log_p = log_softmax(z)
    n = z.shape[0]
    if q is not None:
        return float(-np.sum(q * log_p) / n)
    loss = -np.mean(log_p[np.arange(n), labels])               # -log p of the true class
    if eps > 0:
        loss = (1.0 - eps) * loss - eps * np.mean(log_p)
    return float(loss)


@_underflow_is_zero
def cross_entropy_grad(logits, target, label_smoothing: float = 0.0):
    r""":math:`\partial L/\partial z_i = (p_i \sum_c q_{ic} - q_i)/N`; for integer targets, :math:`(p_i - q_i)/N`
    with :math:`q_i = (1-\varepsilon)\,\mathrm{onehot}(y_i) + \varepsilon/C`."""
    z, labels, q, eps = _targets(logits, target, label_smoothing)
    p = softmax(z)
    n, c = z.shape
    if q is not None:
        return (p * np.sum(q, axis=1, keepdims=True) - q) / n
    grad = p                                                     # p - q, built in place in p (our own array)
    if eps > 0:
        grad -= eps / c
    grad[np.arange(n), labels] -= 1.0 - eps
    grad /= n
    return grad


# ----------------------------------------------------------------------------
# Hinge losses
# ----------------------------------------------------------------------------

def _scores_and_signs(scores, target):
    s = as_float_array(scores, "scores")
    y = np.asarray(target)
    require_same_shape(s, y, "scores", "target")
    require_nonempty(s, "scores")
    if y.dtype.kind not in "iuf":
        raise ValueError(f"target must hold the labels -1 and +1, got dtype {y.dtype}")
    bad = (y != 1) & (y != -1)
    if bad.any():
        i = first_index(bad)
        raise ValueError(f"target contains {y[i].item()!r} at index {i}: hinge labels must be -1 or +1 "
                         f"(turn 0/1 labels into -1/+1 with 2 * y - 1)")
    return s, y.astype(s.dtype)


def hinge(scores, target) -> float:
    r"""Binary hinge loss :math:`L = \frac1n \sum_i \max(0,\, 1 - y_i s_i)`, labels :math:`y_i \in \{-1, +1\}`.

    :math:`y_i s_i` is the margin: it costs nothing once it reaches 1.
    Equals scikit-learn ``metrics.hinge_loss(y, s)`` and optax ``hinge_loss``
    (PyTorch's ``hinge_embedding_loss`` is a different loss).
    """
    s, y = _scores_and_signs(scores, target)
    return float(np.mean(np.maximum(0.0, 1.0 - y * s)))


def hinge_grad(scores, target):
    r"""Subgradient :math:`-y_i\,[y_i s_i < 1]/n`; 0 at the kink :math:`y_i s_i = 1`."""
    s, y = _scores_and_signs(scores, target)
    return np.where(y * s < 1.0, -y, 0.0) / s.size


def _margins(scores, target, margin):
    margin = require_number(margin, "margin", low=0.0)
    s = _logits_2d(scores, "scores")
    n, c = s.shape
    t = np.asarray(target)
    if t.shape != (n,):
        raise ValueError(f"scores has shape {s.shape} but target has shape {t.shape}: "
                         f"target must be ({n},) integer class indices")
    y = _class_indices(t, c)
    rows = np.arange(n)
    m = np.maximum(0.0, margin - s[rows, y][:, None] + s)
    m[rows, y] = 0.0  # the correct class is not a competitor
    return m, y, rows


def multiclass_hinge(scores, target, margin: float = 1.0) -> float:
    r"""Multi-class hinge loss, Weston–Watkins form (the cs231n SVM loss).

    .. math:: L = \frac1N \sum_i \sum_{j \ne y_i} \max(0,\, \Delta - s_{i,y_i} + s_{ij})

    scores s: (N, C); target: (N,) integer classes; margin :math:`\Delta \ge 0`.
    Equals PyTorch ``F.multi_margin_loss(s, y, margin=Δ)`` times C (PyTorch also
    divides by the number of classes). The Crammer–Singer form used by
    scikit-learn takes the max over wrong classes instead of the sum.
    """
    m, _, _ = _margins(scores, target, margin)
    return float(np.sum(m) / m.shape[0])


def multiclass_hinge_grad(scores, target, margin: float = 1.0):
    r"""Subgradient: +1/N for each wrong class j with a positive margin term, minus their count for the true class."""
    m, y, rows = _margins(scores, target, margin)
    g = (m > 0).astype(m.dtype)
    g[rows, y] = -np.sum(g, axis=1)
    return g / m.shape[0]
