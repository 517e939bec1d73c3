"""lossopt: the helper library of the course on loss functions and optimization.

    from lossopt import losses, optim
    losses.mse(prediction, target), losses.mse_grad(prediction, target)
    optim.Adam(lr=0.01).step(params, grads)

Modules (import the ones you need, e.g. ``from lossopt import surfaces, train``):

=============  ==============================================================
``losses``     every loss and its gradient, equal to PyTorch's
``optim``      SGD, RMSprop, Adagrad, Adam, AdamW with PyTorch's update rules
``schedules``  learning-rate schedules (StepLR, cosine, warm-up, ...)
``surfaces``   2-D test functions with gradients, and a trajectory runner
``models``     linear models, SVMs and a small MLP with explicit parameters
``train``      mini-batches and a training loop that records its history
``data``       seeded toy data; ``digits``: the 8x8 digits shipped with lossopt
``gradcheck``  finite-difference gradient checks
``plotting``   the course style and ``LiveFigure`` for fast interactive figures
``checks``     the exercise checks, ``check_<exercise>(answer)``
=============  ==============================================================

Every formula here is the one the lessons derive, and every number agrees with
PyTorch (see tests/).
"""
__version__ = "0.1.0"

from . import losses, optim  # noqa: E402,F401
