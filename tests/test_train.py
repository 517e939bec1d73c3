"""lossopt.train: mini-batches and the training loop."""
import numpy as np
import pytest

from lossopt import data, models, optim
from lossopt.train import History, iterate_minibatches, train


# ----------------------------------------------------------------------------
# iterate_minibatches
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("n, batch_size", [(1, 1), (10, 3), (10, 5), (10, 10), (7, 100), (64, 1)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_every_example_exactly_once_and_the_last_batch_kept(n, batch_size, shuffle):
    batches = list(iterate_minibatches(n, batch_size, shuffle=shuffle, seed=3))
    sizes = [len(b) for b in batches]
    assert sizes == [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(n))
    assert all(b.dtype.kind == "i" for b in batches)


def test_order_is_seeded():
    first = np.concatenate(list(iterate_minibatches(50, 8, seed=1)))
    again = np.concatenate(list(iterate_minibatches(50, 8, seed=1)))
    other = np.concatenate(list(iterate_minibatches(50, 8, seed=2)))
    plain = np.concatenate(list(iterate_minibatches(50, 8, shuffle=False)))
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert np.array_equal(plain, np.arange(50)) and not np.array_equal(first, plain)
    assert [b.tolist() for b in iterate_minibatches(5, 2, shuffle=False)] == [[0, 1], [2, 3], [4]]


def test_a_generator_continues_one_random_stream():
    rng = np.random.default_rng(0)
    e1 = np.concatenate(list(iterate_minibatches(20, 4, seed=rng)))
    e2 = np.concatenate(list(iterate_minibatches(20, 4, seed=rng)))
    ref = np.random.default_rng(0)
    assert np.array_equal(e1, ref.permutation(20)) and np.array_equal(e2, ref.permutation(20))


@pytest.mark.parametrize("n, batch_size", [(0, 1), (5, 0), (5, 2.0), (-1, 1), (True, 1)])
def test_iterate_minibatches_rejects_bad_arguments(n, batch_size):
    with pytest.raises(ValueError, match="must be an integer"):
        list(iterate_minibatches(n, batch_size))


# ----------------------------------------------------------------------------
# train
# ----------------------------------------------------------------------------

def blobs(n=120, seed=0):
    X, y = data.multi_class(n=n, classes=3, seed=seed)
    return X, y


def test_full_batch_training_is_plain_gradient_descent():
    X, y = blobs()
    model = models.SoftmaxRegression(2, 3)
    h = train(model, optim.SGD(lr=0.5), X, y, epochs=15)
    params = model.init(0)
    losses_seen = []
    for _ in range(15):
        loss, g = model.loss_and_grad(params, X, y)
        losses_seen.append(loss)
        params = {k: params[k] - 0.5 * g[k] for k in params}
    assert np.array_equal(h.step_loss, losses_seen)
    assert all(np.allclose(h.params[k], params[k], rtol=1e-14, atol=0) for k in params)
    assert np.array_equal(h.steps_done, np.arange(16)) and np.array_equal(h.examples_seen, 120 * np.arange(16))


def test_mini_batch_training_follows_the_seeded_batches():
    X, y = blobs(50)
    model = models.MLP([2, 6, 3], activation="tanh")
    opt = optim.Adam(lr=0.01)
    h = train(model, opt, X, y, epochs=3, batch_size=16, seed=4)
    manual = optim.Adam(lr=0.01)
    params = model.init(4)
    rng = np.random.default_rng(4)
    for _ in range(3):
        for batch in iterate_minibatches(50, 16, seed=rng):
            _, g = model.loss_and_grad(params, X[batch], y[batch])
            params = manual.step(params, g)
    assert all(np.array_equal(h.params[k], params[k]) for k in params)
    assert len(h.step_loss) == 3 * 4 and list(h.steps_done) == [0, 4, 8, 12]
    assert list(h.examples_seen) == [0, 50, 100, 150]


def test_history_contents():
    X, y = blobs()
    Xv, yv = blobs(60, seed=1)
    model = models.MLP([2, 8, 3])
    h = train(model, optim.SGD(lr=0.1, momentum=0.9), X, y, epochs=6, batch_size=32, X_val=Xv, y_val=yv)
    assert isinstance(h, History) and not h.diverged
    assert list(h.epoch) == list(range(7))
    for arr in (h.epoch_loss, h.train_accuracy, h.val_loss, h.val_accuracy, h.time, h.examples_seen):
        assert arr.shape == (7,) and np.all(np.isfinite(arr))
    assert h.step_loss.shape == (6 * 4,)
    assert h.epoch_loss[0] == model.loss(model.init(0), X, y)
    assert h.epoch_loss[-1] == pytest.approx(model.loss(h.params, X, y), rel=1e-15) == h.final_loss
    assert h.val_accuracy[-1] == model.accuracy(h.params, Xv, yv)
    assert h.val_accuracy[-1] > 0.8 and h.epoch_loss[-1] < h.epoch_loss[0]
    assert h.time[0] == 0.0 and np.all(np.diff(h.time) >= 0)
    assert "trained 6 epochs" in h.message and "SGD" in h.optimizer
    assert "0x" not in repr(h) and "trained 6 epochs" in repr(h)


def test_regression_has_no_accuracy_and_no_validation_unless_asked():
    x, y, _ = data.regression_with_outliers(n=40)
    X = x[:, None]
    h = train(models.LinearRegression(1), optim.SGD(lr=0.1), X, y, epochs=50, batch_size=10)
    assert h.train_accuracy is None and h.val_loss is None and h.val_accuracy is None
    assert h.params["w"][0] == pytest.approx(2.0, abs=0.2) and float(h.params["b"]) == pytest.approx(1.0, abs=0.3)


def test_training_is_deterministic_and_pure():
    X, y = blobs()
    model = models.MLP([2, 5, 3])
    start = model.init(9)
    saved = {k: v.copy() for k, v in start.items()}
    X0, y0 = X.copy(), y.copy()
    opt = optim.RMSprop(lr=0.01)
    a = train(model, opt, X, y, epochs=4, batch_size=20, params=start, seed=1)
    b = train(model, opt, X, y, epochs=4, batch_size=20, params=start, seed=1)     # the optimizer is reset
    c = train(model, opt, X, y, epochs=4, batch_size=20, params=start, seed=2)
    assert np.array_equal(a.step_loss, b.step_loss) and np.array_equal(a.epoch_loss, b.epoch_loss)
    assert not np.array_equal(a.step_loss, c.step_loss)
    assert all(np.array_equal(start[k], saved[k]) for k in start)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)
    assert a.params["W1"] is not start["W1"]


def test_callback_sees_every_epoch_and_can_stop():
    X, y = blobs()
    seen = []

    def callback(epoch, params, history):
        seen.append((epoch, len(history.epoch_loss), sorted(params)))
        return epoch == 3

    h = train(models.SoftmaxRegression(2, 3), optim.SGD(lr=0.1), X, y, epochs=10, callback=callback)
    assert [s[0] for s in seen] == [1, 2, 3] and [s[1] for s in seen] == [2, 3, 4]
    assert seen[0][2] == ["W", "b"]
    assert list(h.epoch) == [0, 1, 2, 3] and "stopped by the callback" in h.message


@pytest.mark.parametrize("lr", [1e3, 1e200])
def test_divergence_stops_with_finite_numbers(lr):
    X, y = blobs()
    X = X * 100
    h = train(models.MLP([2, 16, 3]), optim.SGD(lr=lr), X, y, epochs=20, batch_size=30)
    assert h.diverged and "diverged" in h.message and "smaller learning rate" in h.message
    for arr in (h.step_loss, h.epoch_loss, h.train_accuracy, h.time):
        assert np.all(np.isfinite(arr))
    assert all(np.all(np.isfinite(v)) for v in h.params.values())
    assert len(h.epoch) < 21


def test_zero_epochs_records_the_start():
    X, y = blobs()
    h = train(models.SoftmaxRegression(2, 3), optim.Adam(), X, y, epochs=0)
    assert list(h.epoch) == [0] and h.step_loss.shape == (0,)


def test_mlp_on_digits_learns_quickly():
    from lossopt import digits

    X, y = digits.load_digits()
    Xtr, Xte, ytr, yte = digits.train_test_split(X[:600], y[:600], seed=0)
    h = train(models.MLP([64, 32, 10]), optim.Adam(lr=3e-3), Xtr, ytr, epochs=5, batch_size=32,
              X_val=Xte, y_val=yte)
    assert h.val_accuracy[-1] > 0.85


@pytest.mark.parametrize("kwargs, message", [
    (dict(X=np.ones(5)), r"shape \(N, features\)"),
    (dict(X=np.ones((0, 2)), y=np.ones(0, dtype=int)), "no rows"),
    (dict(y=np.zeros(4, dtype=int)), "one entry per row"),
    (dict(epochs=-1), "epochs"),
    (dict(epochs=1.5), "epochs"),
    (dict(batch_size=0), "batch_size"),
    (dict(batch_size=6), "at most the number of examples"),
    (dict(X_val=np.ones((2, 2))), "both X_val and y_val"),
    (dict(callback="print"), "callback"),
    (dict(optimizer="adam"), "optimizer"),
    (dict(params=[np.zeros((2, 3))]), "params must be a dict"),
])
def test_bad_arguments_raise_value_error(kwargs, message):
    args = dict(model=models.SoftmaxRegression(2, 3), optimizer=optim.SGD(lr=0.1), X=np.ones((5, 2)),
                y=np.zeros(5, dtype=int), epochs=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        train(**args)
