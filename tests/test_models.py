"""lossopt.models: shapes, gradients against finite differences, and the MLP against PyTorch."""
import numpy as np
import pytest

from lossopt import losses, models
from lossopt.gradcheck import gradient_check, rel_error

RNG = np.random.default_rng(0)
N, D = 7, 4


def random_params(model, seed=0, scale=0.5):
    rng = np.random.default_rng(seed)
    return {k: scale * rng.standard_normal(shape) for k, shape in model.param_shapes().items()}


def make_cases():
    """(model, X, y) for every model, with targets of the kind it expects."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((N, D))
    return {
        "linear_regression": (models.LinearRegression(D), X, rng.standard_normal(N)),
        "logistic_regression": (models.LogisticRegression(D), X, rng.integers(0, 2, N)),
        "logistic_soft_targets": (models.LogisticRegression(D), X, rng.uniform(0, 1, N)),
        "softmax_regression": (models.SoftmaxRegression(D, 3), X, rng.integers(0, 3, N)),
        "linear_svm": (models.LinearSVM(D, reg=0.1), X, 2 * rng.integers(0, 2, N) - 1),
        "multiclass_svm": (models.MulticlassSVM(D, 3, reg=0.1, margin=1.0), X, rng.integers(0, 3, N)),
        "mlp_relu_ce": (models.MLP([D, 5, 3]), X, rng.integers(0, 3, N)),
        "mlp_tanh_ce_deep": (models.MLP([D, 6, 5, 3], activation="tanh"), X, rng.integers(0, 3, N)),
        "mlp_relu_mse": (models.MLP([D, 5, 2], loss="mse"), X, rng.standard_normal((N, 2))),
        "mlp_tanh_mse_no_hidden": (models.MLP([D, 1], activation="tanh", loss="mse"), X, rng.standard_normal((N, 1))),
    }


CASES = make_cases()


@pytest.mark.parametrize("name", CASES)
def test_gradients_match_finite_differences(name):
    model, X, y = CASES[name]
    for seed in range(3):
        params = random_params(model, seed)
        err = gradient_check(lambda p: model.loss(p, X, y), lambda p: model.loss_and_grad(p, X, y)[1], params)
        assert err < 1e-6, (name, seed, err)


@pytest.mark.parametrize("name", CASES)
def test_interface_shapes_and_purity(name):
    model, X, y = CASES[name]
    params = model.init(seed=3)
    assert {k: v.shape for k, v in params.items()} == model.param_shapes()
    assert all(v.dtype == np.float64 for v in params.values())
    assert model.n_params == sum(v.size for v in params.values())
    params = random_params(model, 4)
    before = {k: v.copy() for k, v in params.items()}
    X0, y0 = X.copy(), y.copy()
    loss, grads = model.loss_and_grad(params, X, y)
    assert isinstance(loss, float) and np.isfinite(loss)
    assert loss == model.loss(params, X, y)
    assert list(grads) == list(params)
    assert all(np.shape(grads[k]) == params[k].shape for k in params)
    out = model.forward(params, X)
    assert out.shape[0] == N
    assert all(np.array_equal(params[k], before[k]) for k in params)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)
    pred = model.predict(params, X)
    assert pred.shape[0] == N
    loss_only, accuracy = model.evaluate(params, X, y)
    assert loss_only == loss
    if model.is_classifier and not name.endswith("soft_targets"):
        assert accuracy == model.accuracy(params, X, y) == np.mean(pred == y)
    elif not model.is_classifier:
        assert accuracy is None
    assert "(" in repr(model)


def test_init_is_seeded():
    mlp = models.MLP([5, 8, 3])
    a, b, c = mlp.init(0), mlp.init(0), mlp.init(1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["W1"], c["W1"])
    assert np.all(a["b1"] == 0) and np.all(a["b2"] == 0)
    linear = models.SoftmaxRegression(5, 3).init(7)
    assert all(np.all(v == 0) for v in linear.values())


def test_mlp_initial_weight_scale_follows_he_and_glorot():
    W = models.MLP([400, 300, 2]).init(0)["W1"]
    assert W.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    W = models.MLP([400, 300, 2], activation="tanh").init(0)["W1"]
    assert W.std() == pytest.approx(np.sqrt(2 / 700), rel=0.02)


def test_linear_models_use_the_losses_module():
    model, X, y = CASES["softmax_regression"]
    p = random_params(model)
    Z = X @ p["W"] + p["b"]
    assert model.loss(p, X, y) == losses.cross_entropy(Z, y)
    model, X, y = CASES["linear_svm"]
    p = random_params(model)
    s = X @ p["w"] + p["b"]
    assert model.loss(p, X, y) == pytest.approx(losses.hinge(s, y) + 0.05 * np.sum(p["w"] ** 2), rel=1e-15)
    model, X, y = CASES["linear_regression"]
    p = random_params(model)
    assert model.loss(p, X, y) == losses.mse(X @ p["w"] + p["b"], y)


def test_predictions_and_accuracy():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    logistic = models.LogisticRegression(2)
    p = {"w": np.array([2.0, -1.0]), "b": np.array(0.0)}
    np.testing.assert_array_equal(logistic.predict(p, X), [1, 0, 0])
    np.testing.assert_allclose(logistic.predict_proba(p, X), losses.sigmoid(np.array([2.0, -1.0, -2.0])))
    assert logistic.accuracy(p, X, np.array([1, 0, 1])) == pytest.approx(2 / 3)
    svm = models.LinearSVM(2)
    np.testing.assert_array_equal(svm.predict(p, X), [1, -1, -1])
    softmax = models.SoftmaxRegression(2, 3)
    q = {"W": np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.0]]), "b": np.zeros(3)}
    np.testing.assert_array_equal(softmax.predict(q, X), [0, 1, 2])
    np.testing.assert_allclose(softmax.predict_proba(q, X).sum(axis=1), 1.0)
    mse_mlp = models.MLP([2, 3], loss="mse")
    assert mse_mlp.predict(mse_mlp.init(0), X).shape == (3, 3)
    with pytest.raises(ValueError, match="regression"):
        models.LinearRegression(2).accuracy({"w": np.zeros(2), "b": np.array(0.0)}, X, np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        logistic.accuracy(p, X, np.array([1, 0]))


def test_losses_are_finite_for_huge_scores():
    model = models.LogisticRegression(1)
    p = {"w": np.array([1e4]), "b": np.array(0.0)}
    X = np.array([[1.0], [-1.0]])
    loss, grads = model.loss_and_grad(p, X, np.array([0, 1]))
    assert np.isfinite(loss) and loss == pytest.approx(1e4)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


@pytest.mark.parametrize("call, message", [
    (lambda: models.LinearRegression(0), "n_features"),
    (lambda: models.LinearRegression(2.0), "n_features"),
    (lambda: models.SoftmaxRegression(2, 1), "n_classes"),
    (lambda: models.LinearSVM(2, reg=-1.0), "reg"),
    (lambda: models.MulticlassSVM(2, 3, margin=-1.0), "margin"),
    (lambda: models.MLP([3]), "sizes"),
    (lambda: models.MLP("64"), "sizes"),
    (lambda: models.MLP([3, 0, 2]), r"sizes\[1\]"),
    (lambda: models.MLP([3, 2], activation="sigmoid"), "activation"),
    (lambda: models.MLP([3, 2], loss="hinge"), "loss"),
    (lambda: models.MLP([3, 1]), "at least 2 outputs"),
])
def test_bad_constructor_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_params_and_data_say_what_is_wrong():
    model = models.MLP([3, 4, 2])
    p = model.init(0)
    X = np.ones((5, 3))
    y = np.array([0, 1, 0, 1, 1])
    with pytest.raises(ValueError, match="missing: \\['b2'\\]"):
        model.loss(dict(list(p.items())[:3]), X, y)
    with pytest.raises(ValueError, match="unexpected: \\['W3'\\]"):
        model.loss({**p, "W3": np.ones(2)}, X, y)
    with pytest.raises(ValueError, match=r"params\['W1'\] has shape \(4, 3\).*\(3, 4\)"):
        model.loss({**p, "W1": p["W1"].T}, X, y)
    with pytest.raises(ValueError, match="dict"):
        model.loss([p["W1"]], X, y)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3\)"):
        model.loss(p, np.ones((5, 4)), y)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3\)"):
        model.loss(p, np.ones(3), y)
    with pytest.raises(ValueError, match="no rows"):
        model.loss(p, np.ones((0, 3)), y[:0])
    with pytest.raises(ValueError, match="class 2"):
        model.loss(p, X, np.array([0, 1, 2, 1, 1]))
    with pytest.raises(ValueError, match="shape"):
        model.loss(p, X, y[:4])
    with pytest.raises(ValueError, match="-1 or \\+1"):
        models.LinearSVM(3).loss({"w": np.zeros(3), "b": np.array(0.0)}, X, y)
    with pytest.raises(ValueError, match="reshape"):
        models.MLP([3, 1], loss="mse").loss(models.MLP([3, 1], loss="mse").init(0), X, np.ones(5))


def test_a_few_gradient_steps_reduce_every_loss():
    for name, (model, X, y) in CASES.items():
        params = random_params(model, 5)
        start = model.loss(params, X, y)
        for _ in range(20):
            _, g = model.loss_and_grad(params, X, y)
            params = {k: params[k] - 0.05 * g[k] for k in params}
        assert model.loss(params, X, y) < start, name


# ----------------------------------------------------------------------------
# The MLP against the same network in PyTorch
# ----------------------------------------------------------------------------

@pytest.mark.torch
@pytest.mark.parametrize("sizes, activation, loss", [
    ([4, 8, 3], "relu", "cross_entropy"),
    ([4, 8, 6, 3], "tanh", "cross_entropy"),
    ([4, 8, 6, 5, 3], "relu", "cross_entropy"),
    ([4, 3], "relu", "cross_entropy"),
    ([4, 7, 2], "relu", "mse"),
    ([4, 7, 5, 1], "tanh", "mse"),
])
def test_mlp_matches_pytorch(torch, sizes, activation, loss):
    nn = torch.nn
    model = models.MLP(sizes, activation=activation, loss=loss)
    rng = np.random.default_rng(sum(sizes))
    X = rng.standard_normal((16, sizes[0]))
    y = rng.integers(0, sizes[-1], 16) if loss == "cross_entropy" else rng.standard_normal((16, sizes[-1]))
    params = model.init(seed=2)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}  # nonzero biases

    layers = []
    for l in range(1, len(sizes)):
        linear = nn.Linear(sizes[l - 1], sizes[l]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(params[f"W{l}"].T))   # torch stores (out, in)
            linear.bias.copy_(torch.from_numpy(params[f"b{l}"]))
        layers.append(linear)
        if l < len(sizes) - 1:
            layers.append(nn.ReLU() if activation == "relu" else nn.Tanh())
    net = nn.Sequential(*layers)
    out = net(torch.from_numpy(X))
    criterion = nn.CrossEntropyLoss() if loss == "cross_entropy" else nn.MSELoss()
    t_loss = criterion(out, torch.from_numpy(y))
    t_loss.backward()

    our_loss, grads = model.loss_and_grad(params, X, y)
    np.testing.assert_allclose(model.forward(params, X), out.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert our_loss == pytest.approx(t_loss.item(), rel=1e-12)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    for l, linear in enumerate(linears, start=1):
        assert rel_error(grads[f"W{l}"], linear.weight.grad.numpy().T) < 1e-10
        assert rel_error(grads[f"b{l}"], linear.bias.grad.numpy()) < 1e-10
        np.testing.assert_allclose(grads[f"W{l}"], linear.weight.grad.numpy().T, rtol=1e-10, atol=1e-15)


@pytest.mark.torch
def test_softmax_and_logistic_regression_match_pytorch(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(3)
    X = rng.standard_normal((10, 4))
    for model, y in [(models.SoftmaxRegression(4, 3), rng.integers(0, 3, 10)),
                     (models.LogisticRegression(4), rng.integers(0, 2, 10).astype(float))]:
        params = random_params(model, 1)
        tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
        key = "W" if "W" in params else "w"
        z = torch.from_numpy(X) @ tp[key] + tp["b"]
        t_loss = (F.cross_entropy(z, torch.from_numpy(y)) if key == "W"
                  else F.binary_cross_entropy_with_logits(z, torch.from_numpy(y)))
        t_loss.backward()
        loss, grads = model.loss_and_grad(params, X, y)
        assert loss == pytest.approx(t_loss.item(), rel=1e-12)
        for k in params:
            assert rel_error(grads[k], tp[k].grad.numpy()) < 1e-10
