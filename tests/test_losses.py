"""lossopt.losses against the stored PyTorch / scikit-learn values in tests/reference/losses.npz.

No torch needed. Regenerate the reference with ``.venv/bin/python tests/make_reference.py``;
tests/test_reference_live.py checks the stored file against live torch.

Tolerance: float64, elementwise relative 1e-10 for values and gradients (with an
absolute floor of 1e-13 of the largest entry, for entries that are zero by
cancellation). Correct code agrees to about 1e-14; the mutation tests at the end
show that real mistakes (PyTorch's float32 1e-12 floor replaced by a float64
one, label smoothing spread over C-1 classes, ...) are caught.
"""
from __future__ import annotations

import numpy as np
import pytest

import make_reference as ref
from lossopt import losses

RTOL = 1e-10

ARRAYS, META = ref.load(ref.LOSSES_FILE)
CASES = META["cases"]


def _inputs(case):
    return [ARRAYS[f"{case['id']}::{name}"] for name in case["args"]]


def _call(case, fn_name=None, inputs=None):
    fn = getattr(losses, fn_name or case["function"])
    return fn(*(inputs if inputs is not None else _inputs(case)), **case["kwargs"])


def test_reference_file_records_its_origin():
    assert META["torch"].startswith("2.13"), META["torch"]
    assert "sklearn" in META
    assert META["dtype"] == "float64"


def test_reference_covers_every_loss_and_helper():
    covered = {c["function"] for c in CASES}
    missing = [name for name in losses.__all__ if not name.endswith("_grad") and name != "one_hot"
               and name not in covered]
    assert not missing, f"no stored reference for {missing}"


def test_reference_covers_the_required_cases():
    ids = {c["id"] for c in CASES}
    assert {f"huber_delta={d}" for d in (0.1, 0.5, 1.0, 2.5)} <= ids
    assert {f"multiclass_hinge_margin={m}" for m in (0.5, 1.0, 2.0)} <= ids
    p = ARRAYS["bce_p_0_and_1::prediction"]
    assert (p == 0).any() and (p == 1).any()
    assert np.max(np.abs(ARRAYS["bce_logits_huge::logits"])) >= 1000
    y = ARRAYS["bce_soft_targets::target"]
    assert ((y > 0) & (y < 1)).all()
    assert ARRAYS["ce_int::target"].dtype.kind == "i"
    assert any("label_smoothing" in c["kwargs"] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_value_matches_reference(case):
    inputs = _inputs(case)
    copies = [a.copy() for a in inputs]
    value = _call(case, inputs=inputs)
    expected = ARRAYS[f"{case['id']}::value"]
    if expected.ndim == 0:
        assert isinstance(value, float), f"{case['function']} should return a Python float"
    ref.assert_close(value, expected, RTOL, f"{case['id']} value ({case['reference']})")
    for a, c in zip(inputs, copies):
        np.testing.assert_array_equal(a, c, err_msg="an input was modified")


GRAD_CASES = [c for c in CASES if f"{c['id']}::grad" in ARRAYS]


@pytest.mark.parametrize("case", GRAD_CASES, ids=[c["id"] for c in GRAD_CASES])
def test_gradient_matches_reference(case):
    inputs = _inputs(case)
    grad = _call(case, case["function"] + "_grad", inputs=inputs)
    assert grad.shape == inputs[0].shape
    ref.assert_close(grad, ARRAYS[f"{case['id']}::grad"], RTOL, f"{case['id']} gradient ({case['reference']})")


def test_one_hot_matches_the_integer_cross_entropy_targets():
    labels = ARRAYS["ce_int::target"]
    q = losses.one_hot(labels, ARRAYS["ce_int::logits"].shape[1])
    assert q.shape == (labels.size, 5)
    np.testing.assert_array_equal(q.sum(axis=1), 1.0)
    np.testing.assert_array_equal(np.argmax(q, axis=1), labels)
    # integer targets and their one-hot rows are the same cross-entropy
    z = ARRAYS["ce_int::logits"]
    ref.assert_close(losses.cross_entropy(z, q), ARRAYS["ce_int::value"], RTOL, "one-hot targets")


# ----------------------------------------------------------------------------
# The tolerance catches real mistakes
# ----------------------------------------------------------------------------

def _fails(actual, expected):
    ok, _ = ref.close_enough(actual, expected, RTOL)
    return not ok


def test_tolerance_catches_a_float64_bce_floor():
    p, y = _inputs(next(c for c in CASES if c["id"] == "bce_p_0_and_1"))
    wrong = (p - y) / np.maximum(p * (1 - p), 1e-12) / p.size      # PyTorch uses float32(1e-12)
    assert _fails(wrong, ARRAYS["bce_p_0_and_1::grad"])


def test_tolerance_catches_label_smoothing_over_c_minus_1_classes():
    case = next(c for c in CASES if c["id"] == "ce_int_label_smoothing=0.1")
    z, labels = _inputs(case)
    c = z.shape[1]
    q = losses.one_hot(labels, c)
    wrong_q = (1 - 0.1) * q + 0.1 / (c - 1) * (1 - q)
    assert _fails(losses.cross_entropy(z, wrong_q), ARRAYS[f"{case['id']}::value"])


def test_tolerance_catches_smooth_l1_instead_of_huber():
    case = next(c for c in CASES if c["id"] == "huber_delta=0.5")
    pred, targ = _inputs(case)
    e = pred - targ
    smooth_l1 = np.mean(np.where(np.abs(e) < 0.5, 0.5 * e ** 2 / 0.5, np.abs(e) - 0.25))
    assert _fails(smooth_l1, ARRAYS[f"{case['id']}::value"])


def test_tolerance_catches_a_multi_margin_loss_not_scaled_by_c():
    case = next(c for c in CASES if c["id"] == "multiclass_hinge_margin=1.0")
    s, y = _inputs(case)
    assert _fails(losses.multiclass_hinge(s, y) / s.shape[1], ARRAYS[f"{case['id']}::value"])


# ----------------------------------------------------------------------------
# Values a learner can check by hand
# ----------------------------------------------------------------------------

def test_small_examples_worked_by_hand():
    assert losses.mse([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]) == pytest.approx(4 / 3, rel=1e-15)
    np.testing.assert_allclose(losses.mse_grad([1.0, 2.0, 3.0], [1.0, 2.0, 5.0]), [0, 0, -4 / 3], rtol=1e-15)
    assert losses.mae([0.0, 0.0], [1.0, -3.0]) == 2.0
    assert losses.huber([0.0, 0.0], [0.5, 3.0], delta=1.0) == pytest.approx((0.125 + 2.5) / 2, rel=1e-15)
    np.testing.assert_allclose(losses.huber_grad([0.0, 0.0], [0.5, 3.0], delta=1.0), [-0.25, -0.5])
    assert losses.binary_cross_entropy([0.5], [1.0]) == pytest.approx(np.log(2), rel=1e-15)
    assert losses.binary_cross_entropy_with_logits([0.0], [1.0]) == pytest.approx(np.log(2), rel=1e-15)
    assert losses.cross_entropy(np.zeros((2, 4)), np.array([0, 3])) == pytest.approx(np.log(4), rel=1e-15)
    assert losses.hinge([2.0, 0.5, -1.0], [1, 1, 1]) == pytest.approx((0 + 0.5 + 2) / 3, rel=1e-15)
    # Weston-Watkins: row 0: max(0, 1 - 3 + 1) + max(0, 1 - 3 + 2.5) = 0 + 0.5
    assert losses.multiclass_hinge(np.array([[3.0, 1.0, 2.5]]), np.array([0])) == pytest.approx(0.5, rel=1e-15)
