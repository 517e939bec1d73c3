"""Shared test fixtures.

The live comparisons with PyTorch and scikit-learn are skipped when those are not
installed (a learner's `make test` needs neither: stored reference values cover
them). CI sets LOSSOPT_REQUIRE_TORCH=1, which turns that skip into a failure, so a
missing dependency can never hide a skipped comparison there.
"""
from __future__ import annotations

import importlib
import os

import pytest

REQUIRE = os.environ.get("LOSSOPT_REQUIRE_TORCH") == "1"

# The browser tests start JupyterLab and Chromium: they run with `make test-browser`
# (which sets LOSSOPT_BROWSER=1), not as part of `make test`.
collect_ignore = [] if os.environ.get("LOSSOPT_BROWSER") == "1" else ["browser"]


def _import_or_skip(name: str, why: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        if REQUIRE:
            pytest.fail(f"LOSSOPT_REQUIRE_TORCH=1 but {name} is not installed: {why}")
        pytest.skip(f"{name} is not installed: {why} (CI runs this; `pip install torch==2.13.0 scikit-learn` to run it here)")


@pytest.fixture(scope="session")
def torch():
    """The torch module, or a skip (a failure when LOSSOPT_REQUIRE_TORCH=1)."""
    t = _import_or_skip("torch", "live comparison with PyTorch")
    t.set_default_dtype(t.float64)
    return t


@pytest.fixture(scope="session")
def sklearn_metrics():
    return _import_or_skip("sklearn.metrics", "live comparison with scikit-learn")
