"""Seeded toy data sets for the lessons. Same seed, same data, on every machine.

Every generator takes ``seed`` and returns plain numpy arrays; nothing is
downloaded.
"""
from __future__ import annotations

import numpy as np

from ._validate import require_number

__all__ = ["regression_with_outliers", "two_class", "multi_class", "large_regression", "train_test_split"]


def _count(n, name="n"):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n)


def regression_with_outliers(n: int = 100, slope: float = 2.0, intercept: float = 1.0, noise: float = 0.5,
                             outlier_fraction: float = 0.0, outlier_shift: float = 15.0, seed: int = 0):
    """Points on the line y = slope * x + intercept with Gaussian noise, some replaced by outliers.

    x is uniform on [-3, 3]. A fraction ``outlier_fraction`` of the points (chosen at
    random) get ``outlier_shift`` (times a random factor in [1, 2]) added to y, all
    upwards, the way a faulty sensor or a data-entry error would.

    Returns ``(x, y, is_outlier)``: arrays of shape (n,), (n,) and (n,) bool.
    """
    n = _count(n)
    outlier_fraction = require_number(outlier_fraction, "outlier_fraction", low=0.0, high=1.0)
    noise = require_number(noise, "noise", low=0.0)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3.0, 3.0, size=n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    is_outlier = np.zeros(n, dtype=bool)
    k = int(round(outlier_fraction * n))
    if k:
        idx = rng.choice(n, size=k, replace=False)
        is_outlier[idx] = True
        y[idx] += outlier_shift * rng.uniform(1.0, 2.0, size=k)
    return x, y, is_outlier


def two_class(n: int = 200, separation: float = 2.0, noise: float = 1.0, seed: int = 0):
    """Two Gaussian blobs in 2-D, centred at ±separation/2 along the diagonal.

    Returns ``(X, y)`` with X of shape (n, 2) and y of shape (n,) holding 0 and 1
    (half of each, the first class first). Use ``2 * y - 1`` for ±1 labels.
    """
    n = _count(n)
    separation = require_number(separation, "separation")
    noise = require_number(noise, "noise", low=0.0)
    rng = np.random.default_rng(seed)
    n0 = n // 2
    y = np.concatenate([np.zeros(n0, dtype=int), np.ones(n - n0, dtype=int)])
    centre = np.array([1.0, 1.0]) / np.sqrt(2.0) * separation / 2.0
    X = noise * rng.standard_normal((n, 2)) + np.where(y[:, None] == 1, centre, -centre)
    return X, y


def multi_class(n: int = 300, classes: int = 3, radius: float = 2.5, noise: float = 1.0, seed: int = 0):
    """``classes`` Gaussian blobs in 2-D whose centres sit evenly on a circle of ``radius``.

    Returns ``(X, y)``: X of shape (n, 2), y of shape (n,) with integer labels 0..classes-1.
    """
    n = _count(n)
    classes = _count(classes, "classes")
    radius = require_number(radius, "radius")
    noise = require_number(noise, "noise", low=0.0)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    angles = 2 * np.pi * np.arange(classes) / classes + np.pi / 2
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    X = centres[y] + noise * rng.standard_normal((n, 2))
    return X, y


def large_regression(n: int = 100_000, features: int = 20, noise: float = 0.1, seed: int = 0):
    """A linear regression problem big enough for mini-batches to pay off.

    X has shape (n, features) with standard-normal columns, the true weights w
    are standard normal, and y = X w + noise. Returns ``(X, y, w)``.
    """
    n = _count(n)
    features = _count(features, "features")
    noise = require_number(noise, "noise", low=0.0)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, features))
    w = rng.standard_normal(features)
    y = X @ w + noise * rng.standard_normal(n)
    return X, y, w


def train_test_split(X, y, test_size: float = 0.25, seed: int = 0, stratify: bool = True):
    """Split examples at random into a training part and a test part (seeded).

    X: (N, ...) and y: (N,), one label or target per row of X. ``test_size`` in
    (0, 1) is the fraction held out. With ``stratify=True`` (for class labels)
    each class contributes round(test_size × its count) examples to the test
    part, so both parts keep the class proportions; with ``stratify=False`` the
    test part is round(test_size × N) examples drawn without regard to y.
    Both parts are in random order. Returns ``(X_train, X_test, y_train, y_test)``
    (scikit-learn's order), new arrays; X and y are not modified.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"X must have one row per entry of y, and y must be 1-D; got X of shape "
                         f"{X.shape} and y of shape {y.shape}")
    test_size = require_number(test_size, "test_size", low=0.0, high=1.0, low_open=True, high_open=True)
    n = y.shape[0]
    rng = np.random.default_rng(seed)
    if stratify:
        test = []
        for label in np.unique(y):
            members = rng.permutation(np.flatnonzero(y == label))
            test.append(members[:int(round(test_size * len(members)))])
        test = np.concatenate(test)
    else:
        test = rng.permutation(n)[:int(round(test_size * n))]
    if len(test) == 0 or len(test) == n:
        raise ValueError(f"test_size={test_size:g} of {n} examples leaves an empty "
                         f"{'test' if len(test) == 0 else 'training'} part: choose a test_size that "
                         "keeps at least one example on each side")
    is_test = np.zeros(n, dtype=bool)
    is_test[test] = True
    train_idx = rng.permutation(np.flatnonzero(~is_test))
    test_idx = rng.permutation(test)
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]
