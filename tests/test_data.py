"""lossopt.data (seeded toy data, train_test_split) and lossopt.digits (the shipped digits)."""
import tomllib
from pathlib import Path

import numpy as np
import pytest

from lossopt import data, digits

ROOT = Path(__file__).resolve().parent.parent


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("make", [
    lambda seed: data.regression_with_outliers(n=50, outlier_fraction=0.2, seed=seed),
    lambda seed: data.two_class(n=50, seed=seed),
    lambda seed: data.multi_class(n=50, seed=seed),
    lambda seed: data.large_regression(n=200, features=3, seed=seed),
])
def test_generators_are_seeded(make):
    assert same(make(0), make(0))
    assert not same(make(0), make(1))


def test_regression_with_outliers():
    x, y, out = data.regression_with_outliers(n=200, slope=-1.5, intercept=0.5, noise=0.0,
                                              outlier_fraction=0.1, outlier_shift=10.0, seed=3)
    assert x.shape == y.shape == out.shape == (200,) and out.dtype == bool
    assert out.sum() == 20
    assert np.all((x >= -3) & (x <= 3))
    line = -1.5 * x + 0.5
    np.testing.assert_allclose(y[~out], line[~out], atol=1e-12)              # noise=0: exactly on the line
    shift = y[out] - line[out]
    assert np.all((shift >= 10.0) & (shift <= 20.0))                          # upwards, factor in [1, 2]
    assert data.regression_with_outliers(n=30, outlier_fraction=0.0)[2].sum() == 0
    assert data.regression_with_outliers(n=30, outlier_fraction=1.0)[2].sum() == 30
    assert data.regression_with_outliers(n=7, outlier_fraction=0.3)[2].sum() == round(0.3 * 7)


def test_two_class():
    X, y = data.two_class(n=2001, separation=4.0, noise=0.5, seed=0)
    assert X.shape == (2001, 2) and y.shape == (2001,) and y.dtype.kind == "i"
    assert (y == 0).sum() == 1000 and (y == 1).sum() == 1001
    assert np.all(y[:1000] == 0) and np.all(y[1000:] == 1)
    centre = np.array([1.0, 1.0]) / np.sqrt(2.0) * 2.0
    np.testing.assert_allclose(X[y == 1].mean(axis=0), centre, atol=0.06)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), -centre, atol=0.06)


def test_multi_class():
    X, y = data.multi_class(n=3000, classes=4, radius=3.0, noise=0.3, seed=1)
    assert X.shape == (3000, 2) and set(np.unique(y)) == {0, 1, 2, 3}
    assert np.all(np.bincount(y) == 750)
    means = np.array([X[y == c].mean(axis=0) for c in range(4)])
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 3.0, atol=0.05)
    np.testing.assert_allclose(means[0], [0.0, 3.0], atol=0.05)              # the first centre is on top


def test_large_regression():
    X, y, w = data.large_regression(n=5000, features=4, noise=0.1, seed=2)
    assert X.shape == (5000, 4) and y.shape == (5000,) and w.shape == (4,)
    assert np.std(y - X @ w) == pytest.approx(0.1, rel=0.05)


@pytest.mark.parametrize("call, message", [
    (lambda: data.regression_with_outliers(n=0), "n must be a positive integer"),
    (lambda: data.regression_with_outliers(n=10.5), "n must be a positive integer"),
    (lambda: data.regression_with_outliers(outlier_fraction=1.5), "outlier_fraction"),
    (lambda: data.regression_with_outliers(noise=-1.0), "noise"),
    (lambda: data.two_class(n=True), "n must be"),
    (lambda: data.two_class(noise=-0.1), "noise"),
    (lambda: data.two_class(separation=float("inf")), "separation"),
    (lambda: data.multi_class(classes=0), "classes"),
    (lambda: data.multi_class(radius="big"), "radius"),
    (lambda: data.large_regression(features=0), "features"),
    (lambda: data.large_regression(noise=-1), "noise"),
])
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------
# train_test_split
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("stratify", [True, False])
def test_train_test_split_partitions_the_data(stratify):
    X = np.arange(200).reshape(100, 2)
    y = np.repeat([0, 1, 2, 3], 25)
    X0, y0 = X.copy(), y.copy()
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, test_size=0.2, seed=5, stratify=stratify)
    assert Xtr.shape == (80, 2) and Xte.shape == (20, 2) and ytr.shape == (80,) and yte.shape == (20,)
    rows = np.concatenate([Xtr[:, 0], Xte[:, 0]]) // 2
    assert np.array_equal(np.sort(rows), np.arange(100))                     # disjoint, complete
    assert np.array_equal(ytr, y[Xtr[:, 0] // 2]) and np.array_equal(yte, y[Xte[:, 0] // 2])
    if stratify:
        assert np.all(np.bincount(yte) == 5)
    assert not np.array_equal(np.sort(Xte[:, 0]), Xte[:, 0])                # shuffled
    assert same(data.train_test_split(X, y, 0.2, seed=5, stratify=stratify), (Xtr, Xte, ytr, yte))
    assert not same(data.train_test_split(X, y, 0.2, seed=6, stratify=stratify), (Xtr, Xte, ytr, yte))
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(test_size=0.0), "test_size"),
    (dict(test_size=1.0), "test_size"),
    (dict(test_size=0.001), "empty test part"),
    (dict(y=np.zeros(9)), "one row per entry of y"),
    (dict(y=np.zeros((10, 1))), "1-D"),
])
def test_train_test_split_rejects_bad_arguments(kwargs, message):
    args = dict(X=np.ones((10, 2)), y=np.zeros(10))
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        data.train_test_split(**args)


# ----------------------------------------------------------------------------
# digits
# ----------------------------------------------------------------------------

def test_digits_load_from_the_package():
    X, y = digits.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype.kind == "i"
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    assert np.array_equal(y[:10], np.arange(10))
    raw, y_raw = digits.load_digits(scale=False)
    assert np.array_equal(raw, np.round(raw)) and raw.max() == 16 and np.array_equal(raw / 16, X)
    assert np.array_equal(y_raw, y)
    # the first image is a zero: a ring of ink around an empty centre
    zero = X[0].reshape(digits.IMAGE_SHAPE)
    assert zero[3:5, 3:5].max() < 0.1 and zero[1:7, 1:7].max() > 0.8


def test_digits_are_fresh_copies():
    X, y = digits.load_digits()
    X[:] = -1
    y[:] = -1
    X2, y2 = digits.load_digits()
    assert X2.min() == 0.0 and y2.min() == 0


def test_digits_split_keeps_the_class_balance():
    X, y = digits.load_digits()
    Xtr, Xte, ytr, yte = digits.train_test_split(X, y, test_size=0.25, seed=0)
    assert len(yte) == 450 and len(ytr) == 1347
    assert np.all(np.abs(np.bincount(yte) - 45) <= 1)


def test_digits_file_is_packaged_with_its_licence():
    folder = ROOT / "lossopt" / "datasets"
    assert (folder / "digits.csv.gz").is_file()
    readme = (folder / "README.md").read_text()
    assert "CC BY 4.0" in readme and "Alpaydin" in readme and "scikit-learn" in readme
    assert "BSD 3-Clause" in (folder / "LICENSE-scikit-learn.txt").read_text()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "datasets/*" in config["tool"]["setuptools"]["package-data"]["lossopt"]


def test_digits_match_scikit_learn(sklearn_metrics):
    from sklearn.datasets import load_digits

    X_sk, y_sk = load_digits(return_X_y=True)
    X, y = digits.load_digits(scale=False)
    assert np.array_equal(X, X_sk) and np.array_equal(y, y_sk)
    assert np.array_equal(digits.load_digits()[0], X_sk / 16.0)
