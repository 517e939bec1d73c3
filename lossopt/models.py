r"""Small models with explicit parameters, so any optimizer in :mod:`lossopt.optim` can train them.

Every model has one interface::

    model = MLP([64, 32, 10])
    params = model.init(seed=0)                      # {"W1": (64, 32), "b1": (32,), ...}
    outputs = model.forward(params, X)               # scores / logits / predictions
    loss = model.loss(params, X, y)                  # a float
    loss, grads = model.loss_and_grad(params, X, y)  # grads has the names and shapes of params
    params = optimizer.step(params, grads)
    model.predict(params, X)                         # labels (classifiers) or values (regression)

A model object holds only its architecture; the parameters live in the dict you
pass around, and nothing passed in is ever modified. Losses come from
:mod:`lossopt.losses` (means over the batch), and the gradients are the chain
rule written out, checked against finite differences and against PyTorch in
``tests/test_models.py``.

Shapes: X is (N, D) with one example per row, D = ``n_features``. Weights act on
the right, :math:`z = X W + b` (PyTorch's ``nn.Linear`` stores the transpose of W).
"""
from __future__ import annotations

import numpy as np

from . import losses
from ._validate import as_float_array, require_number

__all__ = ["Model", "LinearRegression", "LogisticRegression", "SoftmaxRegression",
           "LinearSVM", "MulticlassSVM", "MLP"]


def _positive_int(n, name):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n)


class Model:
    """What every model shares: parameter names and shapes, input checks, and the public methods.

    A subclass sets ``self.n_features`` and ``is_classifier`` and implements
    :meth:`param_shapes`, :meth:`init`, ``loss_and_grad`` and three small pieces of
    maths: ``_outputs(p, X)`` (the forward pass), ``_loss(p, outputs, y)`` and
    ``_predict(outputs)``.
    """

    is_classifier = False

    def param_shapes(self) -> dict:  # pragma: no cover - abstract
        """``{name: shape}`` of every parameter."""
        raise NotImplementedError

    def loss_and_grad(self, params, X, y):  # pragma: no cover - abstract
        """``(loss, grads)``: the loss (a float) and a dict of its gradients, one per parameter, same shapes."""
        raise NotImplementedError

    @property
    def n_params(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(np.prod(shape, dtype=int) for shape in self.param_shapes().values()))

    def forward(self, params, X):
        """The outputs for each row of X: scores, logits or predicted values (see the class docstring)."""
        p, X = self._check(params, X)
        return self._outputs(p, X)

    def loss(self, params, X, y) -> float:
        """The training loss (a float), without computing gradients: the number :meth:`loss_and_grad` returns."""
        p, X = self._check(params, X)
        return float(self._loss(p, self._outputs(p, X), y))

    def predict(self, params, X):
        """Predicted labels (classifiers, int, shape (N,)) or values (regression)."""
        return self._predict(self.forward(params, X))

    def evaluate(self, params, X, y):
        """``(loss, accuracy)`` from one forward pass; accuracy is None for a regression model."""
        p, X = self._check(params, X)
        outputs = self._outputs(p, X)
        loss = float(self._loss(p, outputs, y))
        return loss, (self._accuracy(self._predict(outputs), y) if self.is_classifier else None)

    def accuracy(self, params, X, y) -> float:
        """Fraction of examples whose predicted label equals ``y`` (classifiers only)."""
        if not self.is_classifier:
            raise ValueError(f"{type(self).__name__} is a regression model: accuracy is for classifiers "
                             "(compare predictions with losses.mse instead)")
        return self._accuracy(self.predict(params, X), y)

    @staticmethod
    def _accuracy(predicted, y) -> float:
        y = np.asarray(y)
        if y.shape != predicted.shape:
            raise ValueError(f"y has shape {y.shape} but there are {predicted.shape[0]} examples: "
                             f"y must have shape {predicted.shape}")
        return float(np.mean(predicted == y))

    # -- input checks -------------------------------------------------------------------------
    def _check(self, params, X):
        """Return (params as float arrays, X as a float (N, D) array), or raise a clear ValueError."""
        shapes = self.param_shapes()
        if not isinstance(params, dict):
            raise ValueError(f"params must be a dict {{name: array}} with the names {list(shapes)} "
                             f"(get one from model.init()), got {type(params).__name__}")
        missing = [k for k in shapes if k not in params]
        extra = [k for k in params if k not in shapes]
        if missing or extra:
            raise ValueError(f"params must have exactly the names {list(shapes)}; missing: {missing}, "
                             f"unexpected: {extra} (get a dict of the right form from model.init())")
        checked = {}
        for name, shape in shapes.items():
            a = as_float_array(params[name], f"params[{name!r}]")
            if a.shape != shape:
                raise ValueError(f"params[{name!r}] has shape {a.shape} but this {type(self).__name__} "
                                 f"needs shape {shape}")
            checked[name] = a
        X = as_float_array(X, "X")
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (N, {self.n_features}): one row of {self.n_features} "
                             f"features per example; got shape {X.shape}")
        if X.shape[0] == 0:
            raise ValueError("X has no rows: a loss over zero examples is undefined")
        return checked, X

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        return f"{type(self).__name__}({args})"


class _Linear(Model):
    """Shared by the linear models: one weight vector ``w`` (D,) and a bias ``b`` (), started at zero."""

    def __init__(self, n_features: int):
        self.n_features = _positive_int(n_features, "n_features")

    def _config(self):
        return {"n_features": self.n_features}

    def param_shapes(self):
        return {"w": (self.n_features,), "b": ()}

    def init(self, seed: int = 0) -> dict:
        """Zeros: the loss is convex, so the start does not decide where training ends
        (``seed`` is accepted for a uniform interface)."""
        return {"w": np.zeros(self.n_features), "b": np.zeros(())}

    def _outputs(self, p, X):
        return X @ p["w"] + p["b"]                  # z = X w + b, shape (N,)


class _LinearMulticlass(Model):
    """Shared by the multi-class linear models: ``W`` (D, C) and ``b`` (C,), started at zero."""

    def __init__(self, n_features: int, n_classes: int):
        self.n_features = _positive_int(n_features, "n_features")
        self.n_classes = _positive_int(n_classes, "n_classes")
        if self.n_classes < 2:
            raise ValueError(f"n_classes must be at least 2, got {n_classes!r}")

    def _config(self):
        return {"n_features": self.n_features, "n_classes": self.n_classes}

    def param_shapes(self):
        return {"W": (self.n_features, self.n_classes), "b": (self.n_classes,)}

    def init(self, seed: int = 0) -> dict:
        """Zeros (``seed`` is accepted for a uniform interface)."""
        return {"W": np.zeros((self.n_features, self.n_classes)), "b": np.zeros(self.n_classes)}

    def _outputs(self, p, X):
        return X @ p["W"] + p["b"]                  # Z = X W + b, shape (N, C)

    def _predict(self, Z):
        return np.argmax(Z, axis=1)                 # the highest-scoring class


class LinearRegression(_Linear):
    r"""Linear regression trained on the mean squared error.

    .. math::
        \hat y = X w + b, \qquad L = \frac1N \sum_i (\hat y_i - y_i)^2, \qquad
        \frac{\partial L}{\partial w} = X^\top \delta,\quad \frac{\partial L}{\partial b} = \sum_i \delta_i,
        \quad \delta = \frac{\partial L}{\partial \hat y} = \frac{2(\hat y - y)}{N}

    Parameters: ``w`` (D,), ``b`` () (a 0-d array). X (N, D), y (N,) floats.
    ``forward`` and ``predict`` give :math:`\hat y` (N,). ``init`` starts at zero.
    """

    def _loss(self, p, y_hat, y):
        return losses.mse(y_hat, y)

    def _predict(self, y_hat):
        return y_hat

    def loss_and_grad(self, params, X, y):
        """(L, {"w": X^T delta, "b": sum(delta)}) with delta = 2 (y_hat - y) / N."""
        p, X = self._check(params, X)
        y_hat = X @ p["w"] + p["b"]
        loss = losses.mse(y_hat, y)
        delta = losses.mse_grad(y_hat, y)           # dL/dy_hat = 2 (y_hat - y) / N
        return loss, {"w": X.T @ delta, "b": np.sum(delta)}


class LogisticRegression(_Linear):
    r"""Binary logistic regression: a linear score and the cross-entropy on its sigmoid.

    .. math::
        z = X w + b, \qquad P(y = 1 \mid x) = \sigma(z), \qquad
        L = \frac1N \sum_i \big[(1 - y_i) z_i - \log \sigma(z_i)\big],
        \qquad \delta = \frac{\partial L}{\partial z} = \frac{\sigma(z) - y}{N}

    (:func:`lossopt.losses.binary_cross_entropy_with_logits`), and
    :math:`\partial L/\partial w = X^\top \delta`, :math:`\partial L/\partial b = \sum_i \delta_i`.
    Parameters ``w`` (D,), ``b`` (). Labels y (N,) in {0, 1} (probabilities in [0, 1] also work).
    ``forward`` gives the logits z (N,); ``predict`` the labels 0/1 (1 where z > 0);
    ``predict_proba`` the probabilities :math:`\sigma(z)`. ``init`` starts at zero.
    """

    is_classifier = True

    def _loss(self, p, z, y):
        return losses.binary_cross_entropy_with_logits(z, y)

    def _predict(self, z):
        return (z > 0).astype(int)                  # probability above 1/2

    def loss_and_grad(self, params, X, y):
        """(L, {"w": X^T delta, "b": sum(delta)}) with delta = (sigmoid(z) - y) / N."""
        p, X = self._check(params, X)
        z = X @ p["w"] + p["b"]
        loss = losses.binary_cross_entropy_with_logits(z, y)
        delta = losses.binary_cross_entropy_with_logits_grad(z, y)   # (sigmoid(z) - y) / N
        return loss, {"w": X.T @ delta, "b": np.sum(delta)}

    def predict_proba(self, params, X):
        r""":math:`P(y = 1 \mid x) = \sigma(z)`, shape (N,)."""
        return losses.sigmoid(self.forward(params, X))


class SoftmaxRegression(_LinearMulticlass):
    r"""Multinomial logistic (softmax) regression.

    .. math::
        Z = X W + b, \qquad L = -\frac1N \sum_i \log \mathrm{softmax}(Z_i)_{y_i}, \qquad
        \delta = \frac{\partial L}{\partial Z} = \frac{\mathrm{softmax}(Z) - \mathrm{onehot}(y)}{N}

    and :math:`\partial L/\partial W = X^\top \delta`, :math:`\partial L/\partial b = \sum_i \delta_i`.
    Parameters ``W`` (D, C), ``b`` (C,). Labels y (N,) integers in 0..C−1.
    ``forward`` gives the logits Z (N, C); ``predict`` the most likely class; ``predict_proba``
    softmax(Z). ``init`` starts at zero. Reference: CS231n, Linear classification.
    """

    is_classifier = True

    def _loss(self, p, Z, y):
        return losses.cross_entropy(Z, y)

    def loss_and_grad(self, params, X, y):
        """(L, {"W": X^T delta, "b": column sums of delta}) with delta = (softmax(Z) - onehot(y)) / N."""
        p, X = self._check(params, X)
        Z = X @ p["W"] + p["b"]
        loss = losses.cross_entropy(Z, y)
        delta = losses.cross_entropy_grad(Z, y)     # (softmax(Z) - onehot(y)) / N
        return loss, {"W": X.T @ delta, "b": np.sum(delta, axis=0)}

    def predict_proba(self, params, X):
        """Class probabilities softmax(Z), shape (N, C), rows sum to 1."""
        return losses.softmax(self.forward(params, X))


class LinearSVM(_Linear):
    r"""Binary linear support vector machine: hinge loss plus an L2 penalty on the weights.

    .. math::
        s = X w + b, \qquad
        L = \frac1N \sum_i \max(0,\, 1 - y_i s_i) + \frac{\lambda}{2}\|w\|^2

    with labels :math:`y_i \in \{-1, +1\}` and :math:`\lambda` = ``reg`` (the bias is not penalised).
    Subgradient: :math:`\delta_i = -y_i [y_i s_i < 1]/N`,
    :math:`\partial L/\partial w = X^\top \delta + \lambda w`, :math:`\partial L/\partial b = \sum_i \delta_i`.
    Parameters ``w`` (D,), ``b`` (). ``forward`` gives the scores s (N,); ``predict``
    the labels −1/+1 (+1 at a score of exactly 0). ``init`` starts at zero.
    Reference: Shalev-Shwartz, Singer & Srebro (2007), Pegasos: primal estimated
    sub-gradient solver for SVM (the same objective).
    """

    is_classifier = True

    def __init__(self, n_features: int, reg: float = 1e-2):
        super().__init__(n_features)
        self.reg = require_number(reg, "reg", low=0.0)

    def _config(self):
        return {"n_features": self.n_features, "reg": self.reg}

    def _loss(self, p, s, y):
        return losses.hinge(s, y) + 0.5 * self.reg * np.sum(p["w"] ** 2)

    def _predict(self, s):
        return np.where(s >= 0, 1, -1)

    def loss_and_grad(self, params, X, y):
        """(L, {"w": X^T delta + reg w, "b": sum(delta)}) with delta = -y [y s < 1] / N."""
        p, X = self._check(params, X)
        w = p["w"]
        s = X @ w + p["b"]
        loss = losses.hinge(s, y) + 0.5 * self.reg * np.sum(w ** 2)
        delta = losses.hinge_grad(s, y)             # -y [y s < 1] / N
        return float(loss), {"w": X.T @ delta + self.reg * w, "b": np.sum(delta)}


class MulticlassSVM(_LinearMulticlass):
    r"""Multi-class linear SVM with the Weston–Watkins hinge (the CS231n SVM) and an L2 penalty.

    .. math::
        S = X W + b, \qquad
        L = \frac1N \sum_i \sum_{j \ne y_i} \max(0,\, \Delta - S_{i y_i} + S_{ij}) + \frac{\lambda}{2}\|W\|^2

    :math:`\Delta` = ``margin``, :math:`\lambda` = ``reg``; subgradient from
    :func:`lossopt.losses.multiclass_hinge_grad`, :math:`\partial L/\partial W = X^\top \delta + \lambda W`.
    Parameters ``W`` (D, C), ``b`` (C,). Labels y (N,) integers in 0..C−1. ``forward`` gives
    the scores S (N, C); ``predict`` the highest-scoring class. ``init`` starts at zero.
    Reference: Weston & Watkins (1999), Support vector machines for multi-class pattern recognition.
    """

    is_classifier = True

    def __init__(self, n_features: int, n_classes: int, reg: float = 1e-2, margin: float = 1.0):
        super().__init__(n_features, n_classes)
        self.reg = require_number(reg, "reg", low=0.0)
        self.margin = require_number(margin, "margin", low=0.0)

    def _config(self):
        return {"n_features": self.n_features, "n_classes": self.n_classes, "reg": self.reg,
                "margin": self.margin}

    def _loss(self, p, S, y):
        return losses.multiclass_hinge(S, y, self.margin) + 0.5 * self.reg * np.sum(p["W"] ** 2)

    def loss_and_grad(self, params, X, y):
        """(L, {"W": X^T delta + reg W, "b": column sums of delta}), delta the hinge subgradient."""
        p, X = self._check(params, X)
        W = p["W"]
        S = X @ W + p["b"]
        loss = losses.multiclass_hinge(S, y, self.margin) + 0.5 * self.reg * np.sum(W ** 2)
        delta = losses.multiclass_hinge_grad(S, y, self.margin)
        return float(loss), {"W": X.T @ delta + self.reg * W, "b": np.sum(delta, axis=0)}


class MLP(Model):
    r"""A multi-layer perceptron with backpropagation written out layer by layer.

    ``sizes = [D, H_1, ..., H_{L-1}, K]`` gives L layers. With :math:`h_0 = X`:

    .. math::
        z_l = h_{l-1} W_l + b_l, \qquad h_l = \phi(z_l) \ (l < L), \qquad \text{output } z_L

    :math:`\phi` is ReLU :math:`\max(0, z)` or tanh (``activation``). The loss is
    ``"cross_entropy"`` on the logits :math:`z_L` with integer labels y (N,), or
    ``"mse"`` on :math:`z_L` with targets y of shape (N, K).

    Backward pass, from :math:`\delta_L = \partial L / \partial z_L` (the loss's gradient):

    .. math::
        \frac{\partial L}{\partial W_l} = h_{l-1}^\top \delta_l, \quad
        \frac{\partial L}{\partial b_l} = \sum_i \delta_{l,i}, \quad
        \delta_{l-1} = (\delta_l W_l^\top) \odot \phi'(z_{l-1})

    with :math:`\phi'(z) = [z > 0]` for ReLU and :math:`1 - \tanh^2 z` for tanh.
    Parameters ``W1`` (D, H_1), ``b1`` (H_1,), ..., ``WL`` (H_{L-1}, K), ``bL`` (K,).
    ``forward`` gives :math:`z_L` (N, K); ``predict`` the class (argmax of the logits) for
    cross-entropy, the outputs (N, K) for mse.

    ``init(seed)``: biases 0; weights normal with standard deviation
    :math:`\sqrt{2/\text{fan\_in}}` for ReLU (He et al. 2015) and
    :math:`\sqrt{2/(\text{fan\_in} + \text{fan\_out})}` for tanh (Glorot & Bengio 2010).
    References: Rumelhart, Hinton & Williams (1986), Learning representations by
    back-propagating errors; CS231n, Backpropagation.
    """

    ACTIVATIONS = ("relu", "tanh")
    LOSSES = ("cross_entropy", "mse")

    def __init__(self, sizes, activation: str = "relu", loss: str = "cross_entropy"):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
            raise ValueError(f"sizes must be a list [inputs, hidden..., outputs] of at least two "
                             f"positive integers, got {sizes!r}")
        self.sizes = tuple(_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes))
        if activation not in self.ACTIVATIONS:
            raise ValueError(f"activation must be one of {self.ACTIVATIONS}, got {activation!r}")
        if loss not in self.LOSSES:
            raise ValueError(f"loss must be one of {self.LOSSES}, got {loss!r}")
        if loss == "cross_entropy" and self.sizes[-1] < 2:
            raise ValueError(f"loss='cross_entropy' needs at least 2 outputs (one logit per class), "
                             f"got sizes[-1] = {self.sizes[-1]}")
        self.activation = activation
        self.loss_name = loss
        self.n_features = self.sizes[0]
        self.n_layers = len(self.sizes) - 1
        self.is_classifier = loss == "cross_entropy"

    def _config(self):
        return {"sizes": list(self.sizes), "activation": self.activation, "loss": self.loss_name}

    def param_shapes(self):
        shapes = {}
        for l in range(1, self.n_layers + 1):
            shapes[f"W{l}"] = (self.sizes[l - 1], self.sizes[l])
            shapes[f"b{l}"] = (self.sizes[l],)
        return shapes

    def init(self, seed: int = 0) -> dict:
        """Random weights (He for ReLU, Glorot for tanh, see above) and zero biases, drawn from ``seed``."""
        rng = np.random.default_rng(seed)
        params = {}
        for l in range(1, self.n_layers + 1):
            fan_in, fan_out = self.sizes[l - 1], self.sizes[l]
            std = np.sqrt(2.0 / fan_in) if self.activation == "relu" else np.sqrt(2.0 / (fan_in + fan_out))
            params[f"W{l}"] = std * rng.standard_normal((fan_in, fan_out))
            params[f"b{l}"] = np.zeros(fan_out)
        return params

    # -- the activation and its derivative -----------------------------------------------------
    def _phi(self, z):
        return np.maximum(z, 0.0) if self.activation == "relu" else np.tanh(z)

    def _phi_grad(self, z, h):
        """φ'(z), given also h = φ(z): [z > 0] for ReLU, 1 − h² for tanh."""
        return (z > 0).astype(z.dtype) if self.activation == "relu" else 1.0 - h * h

    # -- forward and backward ------------------------------------------------------------------
    def _forward(self, p, X):
        """Pre-activations z[l] and activations h[l] of every layer (index 0 unused / h[0] = X)."""
        z, h = [None], [X]
        for l in range(1, self.n_layers + 1):
            z.append(h[l - 1] @ p[f"W{l}"] + p[f"b{l}"])
            h.append(self._phi(z[l]) if l < self.n_layers else z[l])
        return z, h

    def _outputs(self, p, X):
        return self._forward(p, X)[1][-1]                      # z_L, (N, K)

    def _loss(self, p, out, y):
        return losses.cross_entropy(out, y) if self.loss_name == "cross_entropy" else losses.mse(out, y)

    def _loss_and_delta(self, out, y):
        if self.loss_name == "cross_entropy":
            return losses.cross_entropy(out, y), losses.cross_entropy_grad(out, y)
        return losses.mse(out, y), losses.mse_grad(out, y)

    def loss_and_grad(self, params, X, y):
        """(L, grads): the forward pass, then the backward pass above from the last layer to the first."""
        p, X = self._check(params, X)
        z, h = self._forward(p, X)
        loss, delta = self._loss_and_delta(h[-1], y)          # delta = dL/dz_L
        grads = {}
        for l in range(self.n_layers, 0, -1):
            grads[f"W{l}"] = h[l - 1].T @ delta               # dL/dW_l = h_{l-1}^T delta_l
            grads[f"b{l}"] = np.sum(delta, axis=0)            # dL/db_l = sum over examples
            if l > 1:
                delta = (delta @ p[f"W{l}"].T) * self._phi_grad(z[l - 1], h[l - 1])
        return loss, {name: grads[name] for name in p}        # in the order of params

    def _predict(self, out):
        return np.argmax(out, axis=1) if self.is_classifier else out
