"""The 8x8 handwritten digits, shipped with lossopt (nothing is downloaded).

1,797 grey-scale images of the digits 0-9, 8x8 pixels each: the test set of the
UCI "Optical Recognition of Handwritten Digits" data (E. Alpaydin and C. Kaynak,
1998, CC BY 4.0; https://doi.org/10.24432/C50P49), as copied from scikit-learn.
See ``lossopt/datasets/README.md`` for the origin and the licences.

::

    from lossopt.digits import load_digits, train_test_split
    X, y = load_digits()                       # (1797, 64) in [0, 1], (1797,) in 0..9
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    plt.imshow(X[0].reshape(8, 8), cmap="gray_r")
"""
from __future__ import annotations

import functools
import gzip
from importlib import resources

import numpy as np

from .data import train_test_split

__all__ = ["load_digits", "train_test_split", "N_CLASSES", "IMAGE_SHAPE"]

N_CLASSES = 10
IMAGE_SHAPE = (8, 8)


@functools.lru_cache(maxsize=1)
def _raw():
    """The file's contents: (1797, 65) float, 64 pixel counts 0..16 then the label."""
    with (resources.files("lossopt") / "datasets" / "digits.csv.gz").open("rb") as compressed:
        with gzip.open(compressed, "rt") as f:
            data = np.loadtxt(f, delimiter=",")
    data.setflags(write=False)
    return data


def load_digits(scale: bool = True):
    """Load the digits: ``(X, y)`` with X (1797, 64) float64 and y (1797,) int.

    Each row of X is one image, its 8x8 pixels row by row (``X[i].reshape(8, 8)``
    to draw it). The raw pixel values are counts 0..16; with ``scale=True``
    (the default) they are divided by 16 so that X lies in [0, 1]. y holds the
    digit, 0..9 (about 180 of each). Returns new arrays on every call.

    Same data as ``sklearn.datasets.load_digits(return_X_y=True)`` (which is not
    scaled), without needing scikit-learn.
    """
    data = _raw()
    X = data[:, :-1] / 16.0 if scale else data[:, :-1].copy()
    y = data[:, -1].astype(int)
    return X, y
