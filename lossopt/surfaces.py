r"""Test functions for watching optimizers move, and a runner that records their paths.

Each function is a :class:`Surface`: its formula, the value ``f`` and the
gradient ``df`` (both vectorised, so ``surface.f(X, Y)`` evaluates a whole
``np.meshgrid`` for a contour plot), the known minima, and suggestions for a
plot (``bounds``, contour ``levels``) and for starting points (``start``)::

    from lossopt import optim, surfaces
    bowl = surfaces.quadratic_bowl(condition=10.0)
    path = surfaces.run(optim.SGD(lr=0.15), bowl, steps=100)
    path.points        # (k + 1, 2): the start, then one row per step
    path.values        # (k + 1,):  f at each point
    print(path.message)

The two-dimensional surfaces:

==================  ========================================================  ==========================
function            formula                                                   minima
==================  ========================================================  ==========================
quadratic_bowl      :math:`\tfrac12 p^\top A p`, eigenvalues 1 and κ          0 at (0, 0)
rosenbrock          :math:`(a - x)^2 + b(y - x^2)^2`                          0 at (a, a²)
beale               :math:`\sum_k (c_k - x + x y^k)^2`                        0 at (3, 0.5)
saddle              :math:`x^2 - y^2 + \tfrac12 y^4`                          −½ at (0, ±1), saddle at 0
six_hump_camel      see :func:`six_hump_camel`                                two global, four local
==================  ========================================================  ==========================

and one one-dimensional function, :func:`bumpy` (:math:`x^2/8 + \sin^2 x`), with a
shallow local minimum on each side of the global one, for the momentum lesson.
A one-dimensional surface works exactly like a two-dimensional one with points
of shape (1,): ``f(x)``, ``df(x)``, ``value(p)``, ``grad(p)`` and :func:`run`.

References: Rosenbrock (1960), The Computer Journal 3(3); Beale (1958),
Princeton Univ. tech. report; Dixon & Szegő (1978), Towards Global Optimisation 2
(six-hump camel); the Virtual Library of Simulation Experiments,
https://www.sfu.ca/~ssurjano/optimization.html (formulas and minima).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._validate import as_float_array, require_number

__all__ = ["Minimum", "Surface", "Trajectory", "quadratic_bowl", "rosenbrock", "beale", "saddle",
           "six_hump_camel", "bumpy", "all_surfaces", "run", "contour", "curve"]


# ----------------------------------------------------------------------------
# Surfaces
# ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Minimum:
    """A known minimum: its ``point`` (a tuple of coordinates), ``value`` f(point), and ``kind`` ("global" or "local")."""
    point: tuple
    value: float
    kind: str = "global"


@dataclass(frozen=True)
class Surface:
    r"""A test function of one or two variables with its gradient and known minima.

    Fields:

    - ``name``, ``formula`` (LaTeX, for a lesson's markdown or a plot title);
    - ``f(x, y)``: the value, vectorised over numpy arrays (``f(x)`` in 1-D);
    - ``df(x, y)``: the gradient :math:`(\partial f/\partial x, \partial f/\partial y)`
      as a tuple of arrays, vectorised (``df(x)`` = :math:`f'(x)` in 1-D);
    - ``minima``: tuple of :class:`Minimum`, global ones first;
    - ``bounds``: ``((xmin, xmax), (ymin, ymax))`` for plots (``((xmin, xmax),)`` in 1-D);
    - ``start``: suggested starting points, tuples of ``dim`` numbers;
    - ``levels``: suggested contour levels, increasing (empty in 1-D);
    - ``saddle_points``: known saddle points (tuples), if any;
    - ``note``: one sentence on what the surface is good for.

    For one point ``p`` of shape ``(dim,)`` use :meth:`value` and :meth:`grad`.
    """
    name: str
    formula: str
    f: Callable
    df: Callable
    minima: tuple
    bounds: tuple
    start: tuple
    levels: tuple = ()
    saddle_points: tuple = ()
    note: str = ""

    @property
    def dim(self) -> int:
        """Number of variables: 2 for a surface, 1 for a curve."""
        return len(self.bounds)

    @property
    def global_minimum(self) -> Minimum:
        """The lowest known minimum (the first, if several share the lowest value)."""
        return min(self.minima, key=lambda m: m.value)

    def __repr__(self):
        minima = ", ".join(f"{m.value:.4g} at {_fmt_point(m.point)}" for m in self.minima)
        return f"Surface({self.name!r}, ${self.formula}$, minima: {minima})"

    def _point(self, p, name="p"):
        p = as_float_array(p, name)
        if self.dim == 1 and p.shape == ():
            p = p.reshape(1)
        if p.shape != (self.dim,):
            raise ValueError(f"{name} must have shape ({self.dim},) for the {self.dim}-D surface "
                             f"{self.name!r}, got shape {p.shape}")
        return p

    def value(self, p) -> float:
        """f at one point ``p`` of shape (dim,) (a plain number is accepted in 1-D)."""
        return float(self.f(*self._point(p)))

    def grad(self, p) -> np.ndarray:
        """Gradient at one point ``p``: a new float64 array of shape (dim,)."""
        p = self._point(p)
        return np.array(self.df(*p), dtype=np.float64).reshape(self.dim)

    def nearest_minimum(self, p) -> Minimum:
        """The known minimum closest (in Euclidean distance) to ``p``."""
        p = self._point(p)
        return min(self.minima, key=lambda m: float(np.linalg.norm(p - np.asarray(m.point))))

    def grid(self, n: int = 200):
        """``(X, Y, Z)`` on an n×n grid over ``bounds``, ready for ``ax.contour(X, Y, Z)`` (2-D only)."""
        if self.dim != 2:
            raise ValueError(f"grid() is for 2-D surfaces; {self.name!r} is 1-D: use np.linspace and f(x)")
        (x0, x1), (y0, y1) = self.bounds
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        return X, Y, self.f(X, Y)


def _geometric_levels(f, bounds, f_min, n=14, ratio=1e-3):
    """Contour levels f_min + geometric steps from ratio*top to top, top = the largest f on the plot."""
    (x0, x1), (y0, y1) = bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101))
    top = float(np.max(f(X, Y)) - f_min)
    return tuple(f_min + np.geomspace(ratio * top, top, n))


def quadratic_bowl(condition: float = 10.0, angle: float = 0.0) -> Surface:
    r"""Quadratic bowl :math:`f(p) = \tfrac12 p^\top A p` with :math:`A = R\,\mathrm{diag}(1, \kappa)\,R^\top`.

    :math:`\kappa` = ``condition`` :math:`\ge 1` is the condition number (ratio of
    the largest to the smallest curvature); :math:`R` rotates by ``angle`` degrees,
    so with ``angle=0`` the valley runs along x and the steep direction is y:
    :math:`f = \tfrac12(x^2 + \kappa y^2)`. Gradient :math:`\nabla f = A p`.
    Minimum 0 at the origin.

    Gradient descent with learning rate :math:`\eta` is stable for
    :math:`\eta < 2/\kappa`; the best fixed rate :math:`2/(1+\kappa)` shrinks
    the error by :math:`(\kappa-1)/(\kappa+1)` per step.
    Reference: Goh (2017), Why momentum really works, Distill.
    """
    kappa = require_number(condition, "condition", low=1.0)
    theta = math.radians(require_number(angle, "angle (degrees)"))
    c, s = math.cos(theta), math.sin(theta)
    # A = R diag(1, kappa) R^T, written out
    a11 = c * c + kappa * s * s
    a22 = s * s + kappa * c * c
    a12 = (1.0 - kappa) * c * s

    def f(x, y):
        return 0.5 * (a11 * x ** 2 + 2.0 * a12 * x * y + a22 * y ** 2)

    def df(x, y):
        return a11 * x + a12 * y, a12 * x + a22 * y

    bounds = ((-3.5, 3.5), (-2.0, 2.0)) if angle == 0 else ((-3.5, 3.5), (-3.5, 3.5))
    start = (-3.0, 1.5)
    start = (c * start[0] - s * start[1], s * start[0] + c * start[1])  # rotate with the bowl
    return Surface(
        name=f"quadratic bowl (κ = {kappa:g})",
        formula=r"f(x, y) = \tfrac12\, p^\top A p,\quad A = R\,\mathrm{diag}(1, %g)\,R^\top" % kappa,
        f=f, df=df,
        minima=(Minimum((0.0, 0.0), 0.0),),
        bounds=bounds, start=(start,),
        levels=_geometric_levels(f, bounds, 0.0),
        note="Conditioning: the larger κ, the narrower the valley and the slower plain gradient descent.",
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    r"""Rosenbrock's banana :math:`f = (a - x)^2 + b\,(y - x^2)^2`.

    .. math::
        \partial f/\partial x = -2(a - x) - 4 b x (y - x^2), \qquad
        \partial f/\partial y = 2 b (y - x^2)

    Minimum 0 at :math:`(a, a^2)`, at the end of a long, curved, flat-bottomed
    valley: finding the valley is easy, following it is slow.
    Reference: Rosenbrock (1960), An automatic method for finding the greatest
    or least value of a function, The Computer Journal 3(3).
    """
    a = require_number(a, "a")
    b = require_number(b, "b", low=0.0, low_open=True)

    def f(x, y):
        return (a - x) ** 2 + b * (y - x ** 2) ** 2

    def df(x, y):
        return -2.0 * (a - x) - 4.0 * b * x * (y - x ** 2), 2.0 * b * (y - x ** 2)

    bounds = ((a - 3.0, a + 1.0), (a * a - 2.0, a * a + 2.0))   # (-2, 2) x (-1, 3) for a = 1
    return Surface(
        name="Rosenbrock",
        formula=r"f(x, y) = (%g - x)^2 + %g\,(y - x^2)^2" % (a, b),
        f=f, df=df,
        minima=(Minimum((a, a * a), 0.0),),
        bounds=bounds, start=((a - 2.5, a * a + 1.5), (a - 2.2, a * a)),   # (-1.5, 2.5), (-1.2, 1)
        levels=_geometric_levels(f, bounds, 0.0, ratio=1e-4),
        note="A curved valley with a flat floor: adaptive methods and momentum follow it faster.",
    )


_BEALE_C = (1.5, 2.25, 2.625)


def beale() -> Surface:
    r"""Beale's function :math:`f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`.

    With :math:`t_k = c_k - x + x y^k` and :math:`c = (1.5, 2.25, 2.625)`:

    .. math::
        \partial f/\partial x = \sum_k 2 t_k (y^k - 1), \qquad
        \partial f/\partial y = \sum_k 2 t_k\, k x y^{k-1}

    Minimum 0 at (3, 0.5); a saddle point at (0, 1); the values span five
    orders of magnitude over [-4.5, 4.5]², so gradients differ wildly in size.
    Reference: Beale (1958), On an iterative method for finding a local minimum
    of a function of more than one variable, Princeton University tech. report 25.
    """
    def f(x, y):
        return sum((c - x + x * y ** k) ** 2 for k, c in enumerate(_BEALE_C, start=1))

    def df(x, y):
        t = [c - x + x * y ** k for k, c in enumerate(_BEALE_C, start=1)]
        dfdx = sum(2.0 * t[k - 1] * (y ** k - 1.0) for k in (1, 2, 3))
        dfdy = sum(2.0 * t[k - 1] * k * x * y ** (k - 1) for k in (1, 2, 3))
        return dfdx, dfdy

    return Surface(
        name="Beale",
        formula=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        f=f, df=df,
        minima=(Minimum((3.0, 0.5), 0.0),),
        bounds=((-4.5, 4.5), (-4.5, 4.5)), start=((1.0, 1.5), (-1.0, -1.0)),
        levels=tuple(np.geomspace(0.1, 1e5, 16)),
        saddle_points=((0.0, 1.0),),
        note="Steep walls and a flat valley: gradient sizes vary by orders of magnitude.",
    )


def saddle() -> Surface:
    r"""A saddle point with two valleys: :math:`f = x^2 - y^2 + \tfrac12 y^4`.

    :math:`\nabla f = (2x,\ -2y + 2y^3)`. Near the origin this is the classic saddle
    :math:`x^2 - y^2` (downhill along y, uphill along x); the :math:`\tfrac12 y^4`
    term only bends the two downhill directions back up, so an escaping optimizer
    lands in a minimum instead of running off to :math:`-\infty`.
    Minima :math:`-\tfrac12` at :math:`(0, \pm 1)`; saddle point (0, 0) with f = 0.

    Starting on the x-axis (y = 0 exactly) plain gradient descent converges to the
    saddle, since the gradient has no y component there; a tiny y offset grows
    only slowly at first. Reference: Dauphin et al. (2014), Identifying and
    attacking the saddle point problem in high-dimensional non-convex optimization.
    """
    def f(x, y):
        return x ** 2 - y ** 2 + 0.5 * y ** 4

    def df(x, y):
        return 2.0 * x, -2.0 * y + 2.0 * y ** 3

    return Surface(
        name="saddle",
        formula=r"f(x, y) = x^2 - y^2 + \tfrac12 y^4",
        f=f, df=df,
        minima=(Minimum((0.0, 1.0), -0.5), Minimum((0.0, -1.0), -0.5)),
        bounds=((-2.0, 2.0), (-1.6, 1.6)), start=((-1.8, 1e-3), (-1.8, 0.0)),
        levels=tuple(np.round(np.linspace(-0.45, 3.6, 19), 6)),
        saddle_points=((0.0, 0.0),),
        note="Escaping a saddle point: the gradient vanishes there although it is no minimum.",
    )


# Minima of the six-hump camel, refined by Newton's method to machine precision.
_CAMEL_MINIMA = (
    ((0.08984201310031807, -0.7126564030207396), -1.0316284534898774, "global"),
    ((-0.08984201310031807, 0.7126564030207396), -1.0316284534898774, "global"),
    ((1.7036067149699805, -0.7960835686726251), -0.21546382438371792, "local"),
    ((-1.7036067149699805, 0.7960835686726251), -0.21546382438371792, "local"),
    ((1.6071047529201976, 0.5686514548841313), 2.1042503103112593, "local"),
    ((-1.6071047529201976, -0.5686514548841313), 2.1042503103112593, "local"),
)


def six_hump_camel() -> Surface:
    r"""Six-hump camel :math:`f = (4 - 2.1x^2 + x^4/3)\,x^2 + xy + (4y^2 - 4)\,y^2`.

    .. math::
        \partial f/\partial x = 8x - 8.4x^3 + 2x^5 + y, \qquad
        \partial f/\partial y = x - 8y + 16y^3

    Six minima: two global (f ≈ −1.0316 at ±(0.0898, −0.7127)) and four local
    (f ≈ −0.2155 at ±(1.7036, −0.7961), f ≈ 2.1043 at ±(1.6071, 0.5687)).
    Which one an optimizer ends in depends on where it starts, its learning rate
    and its momentum.
    Reference: Dixon & Szegő (1978), The global optimisation problem: an
    introduction, in Towards Global Optimisation 2, North-Holland.
    """
    def f(x, y):
        return (4.0 - 2.1 * x ** 2 + x ** 4 / 3.0) * x ** 2 + x * y + (4.0 * y ** 2 - 4.0) * y ** 2

    def df(x, y):
        return 8.0 * x - 8.4 * x ** 3 + 2.0 * x ** 5 + y, x - 8.0 * y + 16.0 * y ** 3

    return Surface(
        name="six-hump camel",
        formula=r"f(x, y) = (4 - 2.1x^2 + x^4/3)\,x^2 + xy + (4y^2 - 4)\,y^2",
        f=f, df=df,
        minima=tuple(Minimum(p, v, k) for p, v, k in _CAMEL_MINIMA),
        bounds=((-2.0, 2.0), (-1.1, 1.1)), start=((-1.9, 1.0), (1.2, 1.0)),
        levels=tuple(np.linspace(-1.0, 5.0, 25)),
        note="Several minima: where an optimizer ends up depends on its start and its hyperparameters.",
    )


_BUMPY_LOCAL = 2.76072321498815  # root of x/4 + sin(2x) = 0 (Brent's method)


def bumpy() -> Surface:
    r"""A bumpy curve in one variable: :math:`f(x) = x^2/8 + \sin^2 x`.

    :math:`f'(x) = x/4 + \sin 2x`. Global minimum 0 at x = 0, and a shallow
    local minimum f ≈ 1.0909 at x ≈ ±2.7607 (where :math:`x/4 + \sin 2x = 0`),
    behind a bump only ≈ 0.13 high. From x = 5, plain gradient descent stops in
    the local minimum; with momentum 0.9 the ball rolls over the bump to 0.
    """
    def f(x):
        return x ** 2 / 8.0 + np.sin(x) ** 2

    def df(x):
        return x / 4.0 + np.sin(2.0 * x)

    local = _BUMPY_LOCAL ** 2 / 8.0 + math.sin(_BUMPY_LOCAL) ** 2
    return Surface(
        name="bumpy curve",
        formula=r"f(x) = x^2/8 + \sin^2 x",
        f=f, df=df,
        minima=(Minimum((0.0,), 0.0), Minimum((_BUMPY_LOCAL,), local, "local"),
                Minimum((-_BUMPY_LOCAL,), local, "local")),
        bounds=((-5.5, 5.5),), start=((5.0,), (-5.0,)),
        note="Momentum: a heavy ball rolls through a shallow local minimum where gradient descent stops.",
    )


def all_surfaces() -> dict:
    """Every surface with its default parameters, by a short name: ``{"quadratic_bowl": Surface, ...}``."""
    return {"quadratic_bowl": quadratic_bowl(), "rosenbrock": rosenbrock(), "beale": beale(),
            "saddle": saddle(), "six_hump_camel": six_hump_camel(), "bumpy": bumpy()}


# ----------------------------------------------------------------------------
# Running an optimizer on a surface
# ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Trajectory:
    r"""The path of an optimizer on a surface, as recorded by :func:`run`.

    - ``points`` (k + 1, dim): the start, then the point after each of the k steps;
    - ``values`` (k + 1,): f at each point; ``grad_norms`` (k + 1,): :math:`\|\nabla f\|` there;
    - ``converged``: the gradient norm fell to ``tol`` or below (a stationary point: see ``message``);
    - ``diverged``: the run left the finite, bounded region and was stopped; ``points``
      end at the last point that was still fine, so they never hold NaN or inf;
    - ``message``: what happened, in one sentence.

    Everything is finite. ``len(path)`` is the number of recorded points.
    """
    surface: Surface
    optimizer: str
    points: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    converged: bool
    diverged: bool
    message: str

    def __len__(self):
        return len(self.points)

    def __repr__(self):
        return f"Trajectory({self.optimizer} on {self.surface.name}: {self.message})"

    @property
    def steps(self) -> int:
        """Number of optimizer steps taken (recorded points minus the start)."""
        return len(self.points) - 1

    @property
    def final_point(self) -> np.ndarray:
        """The last recorded point, shape (dim,) (a copy)."""
        return self.points[-1].copy()

    @property
    def final_value(self) -> float:
        """f at the last recorded point."""
        return float(self.values[-1])

    def steps_to(self, tol: float):
        r"""First step k with :math:`f(p_k) - f^* \le` ``tol`` (:math:`f^*` the global minimum's value), or None if never."""
        tol = require_number(tol, "tol", low=0.0)
        hit = np.flatnonzero(self.values - self.surface.global_minimum.value <= tol)
        return int(hit[0]) if hit.size else None


def run(optimizer, surface: Surface, start=None, steps: int = 500, tol: float = 1e-8,
        max_value: float = 1e8, max_coordinate: float = 1e6) -> Trajectory:
    r"""Run ``optimizer`` on ``surface`` from ``start`` and record the path.

    Each step is :math:`p \leftarrow` ``optimizer.step(p, surface.grad(p))``; the
    optimizer is ``reset()`` first, so the same call always gives the same path.
    ``start`` (shape (dim,)) defaults to ``surface.start[0]``; it is not modified.

    The run stops early when

    - :math:`\|\nabla f(p)\| \le` ``tol``: ``converged=True`` (the message says which
      known minimum is nearest, or that it is not a known minimum, e.g. a saddle);
    - the next point would be non-finite, have :math:`f >` ``max_value``, or a
      coordinate beyond ±``max_coordinate``: ``diverged=True``, and the path ends
      at the last good point (usually: the learning rate is too large).

    Returns a :class:`Trajectory` with ``points`` (k + 1, dim), ``values`` and
    ``grad_norms`` (k + 1,).
    """
    if not isinstance(surface, Surface):
        raise ValueError(f"surface must be a lossopt.surfaces.Surface (e.g. surfaces.rosenbrock()), "
                         f"got {type(surface).__name__}")
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "reset")):
        raise ValueError(f"optimizer must have step(params, grads) and reset() (e.g. lossopt.optim.SGD(lr=0.1)), "
                         f"got {type(optimizer).__name__}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    tol = require_number(tol, "tol", low=0.0)
    max_value = require_number(max_value, "max_value")
    max_coordinate = require_number(max_coordinate, "max_coordinate", low=0.0, low_open=True)
    p = surface._point(surface.start[0] if start is None else start, "start").astype(np.float64)
    if not np.all(np.isfinite(p)):
        raise ValueError(f"start must be finite, got {p}")

    optimizer.reset()
    points, values, norms = [p], [surface.value(p)], []
    converged = diverged = False
    reason = ""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps + 1):
            g = surface.grad(p)
            norms.append(float(np.linalg.norm(g)))
            if norms[-1] <= tol:
                converged = True
                break
            if k == steps:
                break
            new = np.asarray(optimizer.step(p, g), dtype=np.float64).reshape(surface.dim)
            value = surface.value(new) if np.all(np.isfinite(new)) else math.nan
            if not np.all(np.isfinite(new)) or not math.isfinite(value):
                reason = "the next point was not finite"
            elif value > max_value:
                reason = f"f reached {value:.3g} > max_value = {max_value:g}"
            elif np.max(np.abs(new)) > max_coordinate:
                reason = f"a coordinate reached {np.max(np.abs(new)):.3g}, beyond ±{max_coordinate:g}"
            if reason:
                diverged = True
                break
            p = new
            points.append(p)
            values.append(value)

    points = np.array(points)
    values = np.array(values)
    norms = np.array(norms[:len(points)])
    k = len(points) - 1
    if diverged:
        message = (f"diverged at step {k + 1}: {reason}; stopped at the last finite point "
                   f"{_fmt_point(points[-1])} (f = {values[-1]:.4g}). Try a smaller learning rate.")
    else:
        nearest = surface.nearest_minimum(points[-1])
        distance = float(np.linalg.norm(points[-1] - np.asarray(nearest.point)))
        where = (f"at the {nearest.kind} minimum {_fmt_point(nearest.point)}" if distance < 1e-3
                 else f"at {_fmt_point(points[-1])}")
        if converged:
            message = f"converged in {k} steps {where}, f = {values[-1]:.6g}"
            if distance >= 1e-3:
                message += " (a stationary point that is not a known minimum: a saddle point?)"
        else:
            message = (f"stopped after {k} steps {where}, f = {values[-1]:.6g}, "
                       f"|grad f| = {norms[-1]:.3g} (not converged to tol = {tol:g})")
    return Trajectory(surface=surface, optimizer=repr(optimizer), points=points, values=values,
                      grad_norms=norms, converged=converged, diverged=diverged, message=message)


def _fmt_point(p) -> str:
    return "(" + ", ".join(f"{float(c):.4g}" for c in p) + ")"


# ----------------------------------------------------------------------------
# Drawing
# ----------------------------------------------------------------------------

def contour(ax, surface: Surface, *, levels=None, n: int = 200, filled: bool = True,
            show_minima: bool = True, colorbar: bool = False, alpha: float = 0.85) -> None:
    """Draw ``surface`` on ``ax`` in the course style: contours, known minima (★) and saddle points (×).

    ``levels`` defaults to ``surface.levels``; ``n`` is the grid size per axis;
    ``filled`` adds light filled contours under the lines; ``colorbar`` adds a
    colour bar labelled f. Sets the axis limits to ``surface.bounds``, labels the
    axes x and y and makes the scale equal. Returns None (draw paths on top with
    ``ax.plot(*path.points.T)``).
    """
    import matplotlib.colors as mcolors

    if surface.dim != 2:
        raise ValueError(f"contour() draws 2-D surfaces; {surface.name!r} is 1-D: use curve(ax, surface)")
    X, Y, Z = surface.grid(n)
    levels = np.asarray(surface.levels if levels is None else levels, dtype=float)
    if levels.ndim != 1 or levels.size < 2 or np.any(np.diff(levels) <= 0):
        raise ValueError("levels must be an increasing sequence of at least two numbers")
    geometric = levels[0] > surface.global_minimum.value and np.all(levels > 0) and \
        levels[-1] / levels[0] > 100
    norm = mcolors.LogNorm(levels[0], levels[-1]) if geometric else None
    if filled:
        ax.contourf(X, Y, Z, levels=levels, cmap="viridis", norm=norm, alpha=0.25, extend="both")
    lines = ax.contour(X, Y, Z, levels=levels, cmap="viridis", norm=norm, linewidths=0.9, alpha=alpha)
    if colorbar:
        ax.figure.colorbar(lines, ax=ax, label="f(x, y)", format="%.3g")
    if show_minima:
        for i, m in enumerate(surface.minima):
            ax.plot(*m.point, marker="*", markersize=15 if m.kind == "global" else 11, color="black",
                    markerfacecolor="white" if m.kind == "local" else "black", linestyle="none",
                    label=("global minimum" if m.kind == "global" else "local minimum")
                    if i == _first(surface.minima, m.kind) else None, zorder=5)
        for i, s in enumerate(surface.saddle_points):
            ax.plot(*s, marker="X", markersize=10, color="black", linestyle="none",
                    label="saddle point" if i == 0 else None, zorder=5)
    (x0, x1), (y0, y1) = surface.bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(False)


def _first(minima, kind):
    return next(i for i, m in enumerate(minima) if m.kind == kind)


def curve(ax, surface: Surface, *, n: int = 500, show_minima: bool = True) -> None:
    """Draw a 1-D surface f(x) over its bounds on ``ax``, with its minima (★ global, ☆ local). Returns None."""
    if surface.dim != 1:
        raise ValueError(f"curve() draws 1-D surfaces; {surface.name!r} is 2-D: use contour(ax, surface)")
    (x0, x1), = surface.bounds
    x = np.linspace(x0, x1, n)
    ax.plot(x, surface.f(x), color="black", linewidth=1.5, label=f"${surface.formula}$")
    if show_minima:
        for i, m in enumerate(surface.minima):
            ax.plot(m.point[0], m.value, marker="*", markersize=15 if m.kind == "global" else 11,
                    color="black", markerfacecolor="white" if m.kind == "local" else "black",
                    linestyle="none", zorder=5,
                    label=("global minimum" if m.kind == "global" else "local minimum")
                    if i == _first(surface.minima, m.kind) else None)
    ax.set_xlim(x0, x1)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
