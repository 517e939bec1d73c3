"""lossopt.gradcheck: central differences and the CS231n relative error."""
import numpy as np
import pytest

from lossopt.gradcheck import check_gradient, gradient_check, numerical_gradient, rel_error


def cubic(x):
    return float(np.sum(x ** 3) + np.sum(np.sin(x)))


def cubic_grad(x):
    return 3 * x ** 2 + np.cos(x)


@pytest.mark.parametrize("shape", [(), (1,), (4,), (2, 3), (2, 1, 3)])
def test_numerical_gradient_matches_the_derivative_for_any_shape(shape):
    x = np.random.default_rng(0).standard_normal(shape)
    g = numerical_gradient(cubic, x)
    assert g.shape == x.shape and g.dtype == np.float64
    np.testing.assert_allclose(g, cubic_grad(x), rtol=1e-8, atol=1e-9)


def test_numerical_gradient_of_a_dict_of_parameters():
    rng = np.random.default_rng(1)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}

    def f(p):
        return float(np.sum((p["W"] @ p["b"]) ** 2))

    g = numerical_gradient(f, params)
    assert set(g) == {"W", "b"}
    r = params["W"] @ params["b"]
    np.testing.assert_allclose(g["W"], 2 * np.outer(r, params["b"]), rtol=1e-7)
    np.testing.assert_allclose(g["b"], 2 * params["W"].T @ r, rtol=1e-7)


def test_nothing_passed_in_is_modified():
    x = np.array([1.0, -2.0, 3.0])
    params = {"a": np.array([0.5, 1.5])}
    x0, a0 = x.copy(), params["a"].copy()
    numerical_gradient(cubic, x)
    gradient_check(cubic, cubic_grad, x)
    numerical_gradient(lambda p: cubic(p["a"]), params)
    assert np.array_equal(x, x0) and np.array_equal(params["a"], a0) and list(params) == ["a"]


def test_integer_input_is_differentiated_in_float():
    np.testing.assert_allclose(numerical_gradient(cubic, [1, 2]), cubic_grad(np.array([1.0, 2.0])), rtol=1e-8)


def test_central_differences_are_second_order():
    # for a cubic, the central-difference error is exactly eps^2 (the f''' / 6 term times 2)
    g = numerical_gradient(lambda x: float(x[0] ** 3), np.array([0.0]), eps=1e-3)
    assert g[0] == pytest.approx(1e-6, rel=1e-6)


def test_rel_error_definition():
    assert rel_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert rel_error([1.0], [3.0]) == pytest.approx(0.5)          # |1-3| / (1+3)
    assert rel_error([1e-12], [0.0]) == pytest.approx(1e-4)       # floor 1e-8 in the denominator
    assert rel_error([1.0], [-1.0]) == pytest.approx(1.0)
    assert rel_error({"a": [1.0], "b": [2.0]}, {"a": [1.0], "b": [2.2]}) == pytest.approx(0.2 / 4.2)


def test_gradient_check_tells_right_from_wrong():
    x = np.random.default_rng(2).standard_normal((3, 4))
    assert gradient_check(cubic, cubic_grad, x) < 1e-8
    assert gradient_check(cubic, lambda x: 2 * cubic_grad(x), x) > 0.1
    assert gradient_check(cubic, lambda x: 3 * x ** 2, x) > 1e-3      # forgot the cos term


def test_check_gradient_passes_and_fails_with_a_useful_message():
    x = np.array([0.5, -1.0, 2.0])
    assert check_gradient(cubic, cubic_grad, x) < 1e-8

    def wrong(x):
        g = cubic_grad(x)
        g[2] += 1.0
        return g

    with pytest.raises(AssertionError, match=r"worst entry \[2\].*analytic .*numerical"):
        check_gradient(cubic, wrong, x)
    params = {"w": x}
    with pytest.raises(AssertionError, match=r"worst entry w\[2\]"):
        check_gradient(lambda p: cubic(p["w"]), lambda p: {"w": wrong(p["w"])}, params)


@pytest.mark.parametrize("call, message", [
    (lambda: numerical_gradient(lambda x: x ** 2, np.ones(3)), "single number"),
    (lambda: numerical_gradient(cubic, np.ones(3), eps=0.0), "eps"),
    (lambda: numerical_gradient(cubic, np.array(["a"])), "numbers"),
    (lambda: numerical_gradient(cubic, {}), "empty dict"),
    (lambda: gradient_check(cubic, lambda x: np.ones(2), np.ones(3)), r"shape \(2,\) but x has shape \(3,\)"),
    (lambda: gradient_check(lambda p: 0.0, lambda p: np.ones(1), {"a": np.ones(1)}), "dict with the names"),
    (lambda: rel_error(np.ones(2), np.ones(3)), "shape"),
    (lambda: rel_error({"a": 1.0}, {"b": 1.0}), "same names"),
    (lambda: rel_error({"a": 1.0}, 1.0), "dict"),
    (lambda: check_gradient(cubic, cubic_grad, np.ones(2), tol=-1), "tol"),
])
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
