r"""Mini-batch training: one loop for every model and every optimizer.

::

    from lossopt import models, optim, train
    model = models.MLP([64, 32, 10])
    history = train.train(model, optim.Adam(lr=1e-3), X, y, epochs=20, batch_size=32,
                          X_val=X_test, y_val=y_test)
    history.epoch_loss      # full training loss before training and after each epoch
    history.params          # the trained parameters

One epoch visits every example exactly once, in a fresh random order drawn from
``seed``, in batches of ``batch_size`` (the last batch may be smaller). Each batch
gives one gradient :math:`\nabla L_B(\theta)` of the mean loss over the batch and
one update :math:`\theta \leftarrow` ``optimizer.step(θ, ∇L_B)``. ``batch_size=None``
means the whole data set in every step (full-batch gradient descent, one step per
epoch). Reference: Goodfellow, Bengio & Courville (2016), Deep Learning, §8.1.3.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ._validate import as_float_array

__all__ = ["iterate_minibatches", "train", "History"]


def _count(n, name, low=1):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {n!r}")
    return int(n)


def iterate_minibatches(n: int, batch_size: int, shuffle: bool = True, seed=0):
    """Yield the index arrays of one epoch's mini-batches over ``n`` examples.

    Every index in ``0..n-1`` appears exactly once; batches have ``batch_size``
    indices except the last, which holds the remaining ``n % batch_size`` when
    that is not 0 (it is kept, not dropped). With ``shuffle=True`` the order is a
    random permutation drawn from ``seed`` (an int, or a ``numpy.random.Generator``
    to continue one random stream across epochs); otherwise 0, 1, ..., n−1.

    Example: ``list(iterate_minibatches(5, 2, shuffle=False))`` is
    ``[array([0, 1]), array([2, 3]), array([4])]``.
    """
    n = _count(n, "n")
    batch_size = _count(batch_size, "batch_size")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


@dataclass
class History:
    """What :func:`train` recorded. Arrays indexed by epoch have ``epochs + 1`` entries: entry 0 is before training.

    - ``step_loss`` (steps,): the mini-batch loss at each step, before that step's update;
    - ``epoch``: 0, 1, ..., epochs completed;
    - ``epoch_loss``: the loss on the whole training set at the end of each epoch;
    - ``train_accuracy``, ``val_loss``, ``val_accuracy``: the same for accuracy and
      the validation set, or None (no validation data / a regression model);
    - ``examples_seen``: examples whose gradient has been computed so far (a measure
      of work that is fair between batch sizes); ``steps_done``: updates so far;
    - ``time``: seconds spent in training steps so far (evaluating the epoch
      losses is not counted);
    - ``params``: the final parameters; ``diverged`` and ``message``: how it ended.
    """
    step_loss: np.ndarray
    epoch: np.ndarray
    epoch_loss: np.ndarray
    examples_seen: np.ndarray
    steps_done: np.ndarray
    time: np.ndarray
    params: dict
    train_accuracy: np.ndarray | None = None
    val_loss: np.ndarray | None = None
    val_accuracy: np.ndarray | None = None
    diverged: bool = False
    message: str = ""
    optimizer: str = ""

    def __repr__(self):
        return f"History({self.optimizer}: {self.message})"

    @property
    def final_loss(self) -> float:
        """The training loss after the last completed epoch."""
        return float(self.epoch_loss[-1])


def train(model, optimizer, X, y, epochs: int, batch_size: int | None = None, params=None, seed: int = 0,
          X_val=None, y_val=None, callback=None) -> History:
    r"""Train ``model`` with ``optimizer`` by mini-batch gradient steps; return a :class:`History`.

    - ``model``: a :mod:`lossopt.models` model (it needs ``init``, ``loss_and_grad``,
      ``evaluate`` and ``is_classifier``);
    - ``optimizer``: a :mod:`lossopt.optim` optimizer; it is ``reset()`` first;
    - ``X`` (N, D), ``y`` (N,) (or what the model's loss expects); not modified;
    - ``epochs`` >= 0; ``batch_size`` in 1..N, or None for the whole set (full batch);
    - ``params``: the starting parameters (default ``model.init(seed)``); not modified;
    - ``seed``: initialisation and the shuffling of every epoch; the same seed gives the
      same history (except ``time``);
    - ``X_val``, ``y_val``: optional validation data, evaluated after every epoch;
    - ``callback(epoch, params, history)``: called after every epoch with the history
      so far (its fields are still lists then); return True to stop training early.

    If a loss or gradient becomes non-finite (the learning rate is usually too large),
    training stops, ``diverged=True``, and ``params`` are the last finite ones; the
    recorded numbers never contain NaN or inf.
    """
    X = as_float_array(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, features), one example per row; got shape {X.shape}")
    n = X.shape[0]
    if n == 0:
        raise ValueError("X has no rows: there is nothing to train on")
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != n:
        raise ValueError(f"X has {n} rows but y has shape {y.shape}: y needs one entry per row of X")
    epochs = _count(epochs, "epochs", low=0)
    if batch_size is None:
        batch_size = n
    else:
        batch_size = _count(batch_size, "batch_size")
        if batch_size > n:
            raise ValueError(f"batch_size must be at most the number of examples ({n}), got {batch_size}; "
                             "use batch_size=None for full batches")
    if (X_val is None) != (y_val is None):
        raise ValueError("pass both X_val and y_val, or neither")
    if callback is not None and not callable(callback):
        raise ValueError(f"callback must be a function callback(epoch, params, history), got {callback!r}")
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "reset")):
        raise ValueError(f"optimizer must have step(params, grads) and reset(), got {type(optimizer).__name__}")

    if params is None:
        params = model.init(seed)
    elif isinstance(params, dict):
        params = {name: np.array(value, dtype=np.float64) for name, value in params.items()}  # a copy
    else:
        raise ValueError(f"params must be a dict {{name: array}} like model.init() returns, got {type(params).__name__}")
    optimizer.reset()
    rng = np.random.default_rng(seed)
    classifier = getattr(model, "is_classifier", False)
    validate = X_val is not None

    history = History(step_loss=[], epoch=[], epoch_loss=[], examples_seen=[], steps_done=[], time=[],
                      params=params, train_accuracy=[] if classifier else None,
                      val_loss=[] if validate else None, val_accuracy=[] if validate and classifier else None,
                      optimizer=repr(optimizer))

    def record(epoch, seen, steps, seconds):
        history.epoch.append(epoch)
        history.examples_seen.append(seen)
        history.steps_done.append(steps)
        history.time.append(seconds)
        loss, accuracy = model.evaluate(params, X, y)
        history.epoch_loss.append(loss)
        if classifier:
            history.train_accuracy.append(accuracy)
        if validate:
            loss, accuracy = model.evaluate(params, X_val, y_val)
            history.val_loss.append(loss)
            if classifier:
                history.val_accuracy.append(accuracy)

    seen = steps = 0
    seconds = 0.0
    diverged = False
    message = ""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        record(0, 0, 0, 0.0)
        if not math.isfinite(history.epoch_loss[0]):
            raise ValueError(f"the loss at the starting parameters is {history.epoch_loss[0]}: "
                             "check the data and the starting parameters")
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            for batch in iterate_minibatches(n, batch_size, shuffle=batch_size < n, seed=rng):
                Xb, yb = (X, y) if batch_size == n else (X[batch], y[batch])
                loss, grads = model.loss_and_grad(params, Xb, yb)
                if not (math.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())):
                    diverged = True
                    break
                new = optimizer.step(params, grads)
                if not all(np.all(np.isfinite(v)) for v in new.values()):
                    diverged = True
                    break
                history.step_loss.append(loss)
                params = new
                seen += len(batch)
                steps += 1
            seconds += time.perf_counter() - started
            if diverged:
                message = (f"diverged in epoch {epoch} at step {steps + 1}: the loss or the parameters "
                           f"stopped being finite (try a smaller learning rate); kept the last finite "
                           f"parameters")
                break
            record(epoch, seen, steps, seconds)
            if not math.isfinite(history.epoch_loss[-1]):
                _drop_last(history)
                diverged = True
                message = (f"diverged in epoch {epoch}: the training loss overflowed (try a smaller "
                           f"learning rate)")
                break
            if callback is not None and callback(epoch, params, history):
                message = f"stopped by the callback after epoch {epoch}"
                break

    done = history.epoch[-1]
    if not message:
        message = (f"trained {done} epochs ({steps} steps of batch size {batch_size}): "
                   f"training loss {history.epoch_loss[0]:.4g} -> {history.epoch_loss[-1]:.4g}")
    history.params = params
    history.diverged = diverged
    history.message = message
    for name in ("step_loss", "epoch", "epoch_loss", "examples_seen", "steps_done", "time",
                 "train_accuracy", "val_loss", "val_accuracy"):
        value = getattr(history, name)
        if value is not None:
            setattr(history, name, np.array(value, dtype=int if name in ("epoch", "examples_seen", "steps_done")
                                            else float))
    return history


def _drop_last(history):
    for name in ("epoch", "epoch_loss", "examples_seen", "steps_done", "time",
                 "train_accuracy", "val_loss", "val_accuracy"):
        value = getattr(history, name)
        if value is not None:
            value.pop()
