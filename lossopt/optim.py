r"""Optimizers with PyTorch's update rules, hyperparameter names and defaults.

Every optimizer has one interface::

    opt = Adam(lr=0.01)
    params = opt.step(params, grads)   # returns new parameters, never modifies its inputs
    opt.state                          # per-parameter state, readable: {name: {"step": t, "exp_avg": m, ...}}
    opt.reset()                        # forget all state

``params`` is one array or a dict ``{name: array}``; ``grads`` has the same
structure. A single array is stored in ``opt.state`` under the name ``"param"``.
State keys are PyTorch's (``momentum_buffer``, ``square_avg``, ``exp_avg``,
``exp_avg_sq``, ...) so the numbers can be compared with
``torch.optim.Optimizer.state`` one for one. Given the same gradients the
parameters follow PyTorch's trajectory (``tests/`` checks it to 1e-9 relative
over hundreds of steps).

Notation in the docstrings: :math:`\theta` parameters, :math:`g` gradient,
:math:`t` step count starting at 1, :math:`\eta` learning rate (``lr``),
:math:`\lambda` weight decay.
"""
from __future__ import annotations

import numpy as np

from ._validate import as_float_array, require_number

__all__ = ["Optimizer", "SGD", "RMSprop", "Adagrad", "Adam", "AdamW"]

SINGLE = "param"


class Optimizer:
    """Base class: walks the parameters, checks shapes, keeps per-parameter state.

    A subclass implements ``_update(theta, g, state) -> new theta``. ``theta``
    and ``g`` may be the caller's own arrays, so they are only read, never
    written; the new parameters are a new array. ``state`` is that parameter's
    dict (only ``step`` on its first step): its arrays belong to the optimizer
    and are updated in place (``v *= beta``), which is what keeps a step cheap.
    """

    def __init__(self):
        self.state: dict = {}

    @property
    def hyperparameters(self) -> dict:
        """The hyperparameters, by PyTorch's names."""
        return dict(self._hyper)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._hyper.items())
        return f"{type(self).__name__}({args})"

    def reset(self) -> None:
        """Forget every parameter's state (momentum buffers, averages, step counts)."""
        self.state.clear()

    def step(self, params, grads):
        """One update. Returns new parameters of the same structure as ``params``.

        Everything is checked before anything is updated, so a bad gradient
        leaves the state of every parameter as it was.
        """
        if isinstance(params, dict):
            if not isinstance(grads, dict):
                raise ValueError(f"params is a dict of {sorted(params)} but grads is a {type(grads).__name__}: "
                                 "pass grads as a dict with the same names")
            if set(params) != set(grads):
                missing = sorted(set(params) - set(grads))
                extra = sorted(set(grads) - set(params))
                raise ValueError(f"grads must have the same names as params; missing: {missing}, unexpected: {extra}")
            checked = {name: _checked_pair(name, params[name], grads[name]) for name in params}
            return {name: self._step_one(name, theta, g) for name, (theta, g) in checked.items()}
        if isinstance(grads, dict):
            raise ValueError("params is a single array but grads is a dict: pass one gradient array")
        return self._step_one(SINGLE, *_checked_pair(SINGLE, params, grads))

    def _step_one(self, name, theta, g):
        state = self.state.setdefault(name, {})
        state["step"] = state.get("step", 0) + 1
        return self._update(theta, g, state)

    def _update(self, theta, g, state):  # pragma: no cover - abstract
        raise NotImplementedError


def _checked_pair(name, param, grad):
    """The parameter and its gradient as float64 arrays of one shape (no copy when already so)."""
    theta = np.asarray(as_float_array(param, f"parameter {name!r}"), dtype=np.float64)
    g = np.asarray(as_float_array(grad, f"gradient of {name!r}"), dtype=np.float64)
    if theta.shape != g.shape:
        raise ValueError(f"gradient of parameter {name!r} has shape {g.shape} but the parameter has "
                         f"shape {theta.shape}: they must be equal")
    return theta, g


def _check_lr(lr):
    return require_number(lr, "lr (learning rate)", low=0.0)


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (PyTorch ``torch.optim.SGD``).

    Update, with :math:`t` the step count:

    .. math::
        g &\leftarrow g + \lambda\theta \\
        b_1 &= g, \qquad b_t = \mu b_{t-1} + (1-\tau) g \quad (t > 1) \\
        d &= g + \mu b_t \text{ if nesterov else } b_t \quad (d = g \text{ when } \mu = 0) \\
        \theta &\leftarrow \theta - \eta\, d

    Hyperparameters: ``lr`` :math:`\eta` (1e-3), ``momentum`` :math:`\mu` (0),
    ``dampening`` :math:`\tau` (0), ``weight_decay`` :math:`\lambda` (0, an L2
    penalty added to the gradient), ``nesterov`` (False; needs momentum > 0 and
    dampening = 0).

    State per parameter: ``step``, and ``momentum_buffer`` :math:`b` when momentum > 0.
    The buffer starts at the first gradient itself, not at zero.

    Reference: Sutskever et al. (2013), On the importance of initialization and
    momentum in deep learning.
    """

    def __init__(self, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__()
        self.lr = _check_lr(lr)
        self.momentum = require_number(momentum, "momentum", low=0.0)
        self.dampening = require_number(dampening, "dampening")
        self.weight_decay = require_number(weight_decay, "weight_decay", low=0.0)
        self.nesterov = bool(nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("nesterov=True requires momentum > 0 and dampening = 0 "
                             f"(got momentum={momentum!r}, dampening={dampening!r})")
        self._hyper = dict(lr=lr, momentum=momentum, dampening=dampening,
                           weight_decay=weight_decay, nesterov=nesterov)

    def _update(self, theta, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * theta
        if self.momentum:
            b = state.get("momentum_buffer")
            if b is None:                        # b_1 = g
                b = state["momentum_buffer"] = g.copy()
            else:                                # b_t = mu b_{t-1} + (1 - tau) g
                b *= self.momentum
                b += (1.0 - self.dampening) * g
            d = g + self.momentum * b if self.nesterov else b
        else:
            d = g
        return theta - self.lr * d


class RMSprop(Optimizer):
    r"""RMSprop: divide each coordinate's step by a running RMS of its gradients (PyTorch ``torch.optim.RMSprop``).

    .. math::
        g &\leftarrow g + \lambda\theta \\
        v &\leftarrow \alpha v + (1-\alpha) g^2 \\
        \bar g &\leftarrow \alpha \bar g + (1-\alpha) g, \qquad
        \tilde v = v - \bar g^2 \text{ if centered else } v \\
        \theta &\leftarrow \theta - \eta\, \frac{g}{\sqrt{\tilde v} + \epsilon}
        \quad\text{or, with momentum } \mu:\quad
        b \leftarrow \mu b + \frac{g}{\sqrt{\tilde v} + \epsilon},\ \theta \leftarrow \theta - \eta b

    :math:`\epsilon` is added *outside* the square root (as in PyTorch; Keras
    and optax put it inside, which gives different numbers).

    Hyperparameters: ``lr`` (1e-2), ``alpha`` :math:`\alpha` (0.99), ``eps``
    (1e-8), ``weight_decay`` (0), ``momentum`` (0), ``centered`` (False).

    State per parameter: ``step``, ``square_avg`` :math:`v` (starts at 0),
    ``grad_avg`` :math:`\bar g` if centered, ``momentum_buffer`` :math:`b` if momentum > 0.

    Reference: Hinton, Neural Networks for Machine Learning, lecture 6e (2012).
    """

    def __init__(self, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__()
        self.lr = _check_lr(lr)
        self.alpha = require_number(alpha, "alpha", low=0.0)
        self.eps = require_number(eps, "eps", low=0.0)
        self.weight_decay = require_number(weight_decay, "weight_decay", low=0.0)
        self.momentum = require_number(momentum, "momentum", low=0.0)
        self.centered = bool(centered)
        self._hyper = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                           momentum=momentum, centered=centered)

    def _update(self, theta, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * theta
        if "square_avg" not in state:
            state["square_avg"] = np.zeros_like(theta)
            if self.centered:
                state["grad_avg"] = np.zeros_like(theta)
            if self.momentum > 0:
                state["momentum_buffer"] = np.zeros_like(theta)
        v = state["square_avg"]                  # v = alpha v + (1 - alpha) g^2
        v *= self.alpha
        v += (1.0 - self.alpha) * g * g
        if self.centered:                        # g_avg = alpha g_avg + (1 - alpha) g
            g_avg = state["grad_avg"]
            g_avg += (1.0 - self.alpha) * (g - g_avg)
            denom = np.sqrt(v - g_avg * g_avg) + self.eps
        else:
            denom = np.sqrt(v) + self.eps
        if self.momentum > 0:                    # b = mu b + g / denom
            b = state["momentum_buffer"]
            b *= self.momentum
            b += g / denom
            return theta - self.lr * b
        return theta - self.lr * g / denom


class Adagrad(Optimizer):
    r"""AdaGrad: divide each coordinate's step by the root of its summed squared gradients (PyTorch ``torch.optim.Adagrad``).

    .. math::
        g &\leftarrow g + \lambda\theta \\
        \eta_t &= \eta / (1 + (t-1)\,\text{lr\_decay}) \\
        s &\leftarrow s + g^2 \\
        \theta &\leftarrow \theta - \eta_t\, \frac{g}{\sqrt{s} + \epsilon}

    Because :math:`s` only grows, the effective step size only shrinks.

    Hyperparameters: ``lr`` (1e-2), ``lr_decay`` (0), ``weight_decay`` (0),
    ``initial_accumulator_value`` (0), ``eps`` (1e-10).

    State per parameter: ``step`` :math:`t`, ``sum`` :math:`s`.

    Reference: Duchi, Hazan & Singer (2011), Adaptive subgradient methods for
    online learning and stochastic optimization, JMLR 12.
    """

    def __init__(self, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        super().__init__()
        self.lr = _check_lr(lr)
        self.lr_decay = require_number(lr_decay, "lr_decay", low=0.0)
        self.weight_decay = require_number(weight_decay, "weight_decay", low=0.0)
        self.initial_accumulator_value = require_number(initial_accumulator_value,
                                                        "initial_accumulator_value", low=0.0)
        self.eps = require_number(eps, "eps", low=0.0)
        self._hyper = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)

    def _update(self, theta, g, state):
        if "sum" not in state:
            state["sum"] = np.full_like(theta, self.initial_accumulator_value)
        t = state["step"]
        if self.weight_decay:
            g = g + self.weight_decay * theta
        lr_t = self.lr / (1.0 + (t - 1) * self.lr_decay)
        s = state["sum"]
        s += g * g
        return theta - lr_t * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSprop on its scale, both bias-corrected (PyTorch ``torch.optim.Adam``).

    .. math::
        g &\leftarrow g + \lambda\theta \quad\text{(L2 penalty; see AdamW for decoupled decay)}\\
        m &\leftarrow \beta_1 m + (1-\beta_1) g \\
        v &\leftarrow \beta_2 v + (1-\beta_2) g^2 \\
        \hat m &= m / (1-\beta_1^t), \qquad \hat v = v / (1-\beta_2^t) \\
        \theta &\leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}

    :math:`t` is incremented *before* it is used, so the first step has t = 1.
    With ``amsgrad=True``, :math:`v_{\max} \leftarrow \max(v_{\max}, v)` (of the raw v)
    replaces v in the denominator.

    Hyperparameters: ``lr`` :math:`\eta` (1e-3), ``betas`` :math:`(\beta_1, \beta_2)`
    ((0.9, 0.999)), ``eps`` :math:`\epsilon` (1e-8), ``weight_decay`` :math:`\lambda` (0),
    ``amsgrad`` (False).

    State per parameter: ``step`` :math:`t`, ``exp_avg`` :math:`m`,
    ``exp_avg_sq`` :math:`v` (both start at 0), ``max_exp_avg_sq`` if amsgrad.

    Reference: Kingma & Ba (2015), Adam: a method for stochastic optimization,
    Algorithm 1; Reddi, Kale & Kumar (2018) for AMSGrad.
    """

    decoupled_weight_decay = False

    def __init__(self, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__()
        self.lr = _check_lr(lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = require_number(betas[0], "betas[0] (beta1)", low=0.0, high=1.0, high_open=True)
        self.beta2 = require_number(betas[1], "betas[1] (beta2)", low=0.0, high=1.0, high_open=True)
        self.eps = require_number(eps, "eps", low=0.0)
        self.weight_decay = require_number(weight_decay, "weight_decay", low=0.0)
        self.amsgrad = bool(amsgrad)
        self._hyper = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)

    def _update(self, theta, g, state):
        if "exp_avg" not in state:
            state["exp_avg"] = np.zeros_like(theta)
            state["exp_avg_sq"] = np.zeros_like(theta)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(theta)
        t = state["step"]
        if self.weight_decay:
            if self.decoupled_weight_decay:      # AdamW: shrink the weights first
                theta = theta * (1.0 - self.lr * self.weight_decay)
            else:                                # Adam: L2 penalty in the gradient
                g = g + self.weight_decay * theta
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1.0 - self.beta1) * (g - m)        # m = beta1 m + (1 - beta1) g
        v *= self.beta2                          # v = beta2 v + (1 - beta2) g^2
        v += (1.0 - self.beta2) * g * g
        if self.amsgrad:                         # v_max = max(v_max, v)
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        m_hat_scale = 1.0 - self.beta1 ** t        # m_hat = m / (1 - beta1^t)
        v_hat_sqrt_scale = np.sqrt(1.0 - self.beta2 ** t)  # sqrt(v_hat) = sqrt(v) / sqrt(1 - beta2^t)
        denom = np.sqrt(v) / v_hat_sqrt_scale + self.eps
        return theta - (self.lr / m_hat_scale) * m / denom


class AdamW(Adam):
    r"""AdamW: Adam with *decoupled* weight decay (PyTorch ``torch.optim.AdamW``).

    .. math::
        \theta &\leftarrow \theta\,(1 - \eta\lambda) \quad\text{first, then}\\
        \theta &\leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)
        \quad\text{(the Adam step with the undecayed gradient)}

    Unlike Adam's ``weight_decay`` (an L2 penalty added to g, which then gets
    rescaled by :math:`1/\sqrt{\hat v}`), the decay here shrinks every weight by
    the same factor.

    Hyperparameters: as Adam, with ``weight_decay`` defaulting to 1e-2.
    State per parameter: as Adam.

    Reference: Loshchilov & Hutter (2019), Decoupled weight decay regularization.
    """

    decoupled_weight_decay = True

    def __init__(self, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
