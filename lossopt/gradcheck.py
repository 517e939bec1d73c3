r"""Check a gradient against finite differences.

An analytic gradient (the one you derived) and a numerical one (from values of
``f`` alone) must agree. The numerical gradient uses central differences,

.. math::
    \frac{\partial f}{\partial x_i} \approx \frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon},

whose error is :math:`O(\epsilon^2)` (one-sided differences are only :math:`O(\epsilon)`).
The two are compared by the relative error used in Stanford's CS231n assignments,

.. math::
    \mathrm{rel\_error}(a, b) = \max_i \frac{|a_i - b_i|}{\max(10^{-8},\ |a_i| + |b_i|)},

which is scale-free (a gradient of size 1e4 and one of size 1e-4 are judged
alike); the floor of 1e-8 keeps entries that are both almost zero from
producing 0/0. In float64 with ``eps=1e-6`` a right gradient of a smooth function
typically gives below 1e-7; a wrong one gives 1e-2 or more. At kinks (ReLU at 0,
the hinge at margin 1, |x| at 0) the central difference straddles the kink and
the error can be large even for a right gradient: check at points away from them.

``x`` may be one array of any shape or a dict ``{name: array}`` of parameters
(as the models in :mod:`lossopt.models` use); ``f`` and ``grad_f`` then take that
dict. Nothing passed in is modified.

Reference: CS231n, *Gradient checks* (https://cs231n.github.io/neural-networks-3/#gradcheck).
"""
from __future__ import annotations

import numbers

import numpy as np

from ._validate import as_float_array, require_number

__all__ = ["numerical_gradient", "rel_error", "gradient_check", "check_gradient"]


def _copy_point(x):
    """A float64 copy of ``x`` (an array or a dict of arrays) that we may perturb freely."""
    if isinstance(x, dict):
        if not x:
            raise ValueError("x is an empty dict: pass at least one parameter array")
        return {name: np.array(as_float_array(v, f"x[{name!r}]"), dtype=np.float64, copy=True)
                for name, v in x.items()}
    return np.array(as_float_array(x, "x"), dtype=np.float64, copy=True)


def _scalar(value, where: str) -> float:
    """f must return one real number; say so clearly when it does not."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    a = np.asarray(value)
    if a.size == 1 and a.dtype.kind in "iuf":
        return float(a.reshape(()))
    raise ValueError(f"f must return a single number (the loss), but at {where} it returned "
                     f"{type(value).__name__} with shape {getattr(a, 'shape', None)}: "
                     "reduce it to a scalar, e.g. with np.mean or np.sum")


def numerical_gradient(f, x, eps: float = 1e-6):
    r"""Central-difference gradient of a scalar function ``f`` at ``x``.

    .. math:: g_i = \frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon}

    ``x``: an array of any shape, or a dict ``{name: array}``; the result has
    the same structure and shapes (float64). ``f(x)`` must return one number.
    Costs :math:`2 \times` ``x.size`` calls of ``f``. ``x`` itself is never
    modified: ``f`` is called with a perturbed copy.

    Reference: CS231n ``eval_numerical_gradient``.
    """
    eps = require_number(eps, "eps", low=0.0, low_open=True)
    point = _copy_point(x)
    if isinstance(point, dict):
        return {name: _partials(f, point, point[name], eps, f" x[{name!r}]") for name in point}
    return _partials(f, point, point, eps, " x")


def _partials(f, point, a, eps, label):
    """Fill the gradient of f with respect to the array ``a`` (a part of ``point``), one entry at a time."""
    grad = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + eps
        f_plus = _scalar(f(point), f"{label}[{i}] + eps")
        a[i] = old - eps
        f_minus = _scalar(f(point), f"{label}[{i}] - eps")
        a[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def rel_error(a, b) -> float:
    r"""Largest relative error :math:`\max_i |a_i - b_i| / \max(10^{-8}, |a_i| + |b_i|)` (CS231n's ``rel_error``).

    ``a`` and ``b``: arrays of one shape, or dicts of them with the same names.
    0 means identical; around 1e-7 or less is agreement in float64; 1 means
    unrelated (or opposite signs).
    """
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)):
            raise ValueError("compare a dict with a dict: one argument is a dict and the other is not")
        if set(a) != set(b):
            raise ValueError(f"the two dicts must have the same names; got {sorted(a)} and {sorted(b)}")
        return max(rel_error(a[k], b[k]) for k in a) if a else 0.0
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} but b has shape {b.shape}: compare arrays of one shape")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def gradient_check(f, grad_f, x, eps: float = 1e-6) -> float:
    """Largest relative error between ``grad_f(x)`` and the numerical gradient of ``f`` at ``x``.

    ``f(x) -> float`` and ``grad_f(x) -> array`` (or dict of arrays, if ``x`` is
    a dict) of the shape of ``x``. Returns :func:`rel_error` of the two; in
    float64, below about 1e-6 means the gradient is right.
    """
    numerical = numerical_gradient(f, x, eps)
    analytic = grad_f(_copy_point(x))
    _require_like(analytic, numerical)
    return rel_error(analytic, numerical)


def _require_like(analytic, numerical):
    if isinstance(numerical, dict):
        if not isinstance(analytic, dict) or set(analytic) != set(numerical):
            got = sorted(analytic) if isinstance(analytic, dict) else type(analytic).__name__
            raise ValueError(f"grad_f must return a dict with the names {sorted(numerical)}, got {got}")
        for name in numerical:
            _require_like(analytic[name], numerical[name])
        return
    shape = np.shape(analytic)
    if shape != numerical.shape:
        raise ValueError(f"grad_f returned shape {shape} but x has shape {numerical.shape}: "
                         "a gradient has the shape of what it differentiates")


def check_gradient(f, grad_f, x, eps: float = 1e-6, tol: float = 1e-6) -> float:
    """Like :func:`gradient_check`, but raise ``AssertionError`` when the error exceeds ``tol``.

    The message names the worst entry with both values, so a wrong formula is
    easy to find. Returns the relative error when the check passes.
    """
    tol = require_number(tol, "tol", low=0.0)
    numerical = numerical_gradient(f, x, eps)
    analytic = grad_f(_copy_point(x))
    _require_like(analytic, numerical)
    err = rel_error(analytic, numerical)
    if err > tol:
        name, index, a, n = _worst_entry(analytic, numerical)
        where = f"{name}[{index}]" if name is not None else f"[{index}]"
        raise AssertionError(
            f"gradient check failed: relative error {err:.3g} > tol {tol:g}; worst entry {where}: "
            f"analytic {a:.10g}, numerical {n:.10g}. Check the formula for that entry "
            "(or move x away from a kink, where finite differences are unreliable).")
    return err


def _worst_entry(analytic, numerical):
    """(name or None, index, analytic value, numerical value) of the largest relative error."""
    if isinstance(numerical, dict):
        worst = max(numerical, key=lambda k: rel_error(analytic[k], numerical[k]))
        _, index, a, n = _worst_entry(analytic[worst], numerical[worst])
        return worst, index, a, n
    a = as_float_array(analytic, "analytic")
    err = np.abs(a - numerical) / np.maximum(1e-8, np.abs(a) + np.abs(numerical))
    i = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    index = i[0] if len(i) == 1 else i
    return None, index, float(a[i]), float(numerical[i])
