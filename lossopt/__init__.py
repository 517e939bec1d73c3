"""lossopt: the helper library of the course on loss functions and optimization.

    from lossopt import losses, optim
    losses.mse(prediction, target), losses.mse_grad(prediction, target)
    optim.Adam(lr=0.01).step(params, grads)

Every formula here is the one the lessons derive, and every number agrees with
PyTorch (see tests/).
"""
__version__ = "0.1.0"

from . import losses, optim  # noqa: E402,F401
