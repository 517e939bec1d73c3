"""lossopt.surfaces: values, gradients, minima, the runner and the contour helper."""
import math

import matplotlib
import numpy as np
import pytest

from lossopt import optim, surfaces
from lossopt.gradcheck import gradient_check

matplotlib.use("Agg")

ALL = surfaces.all_surfaces()
VARIANTS = {**ALL,
            "bowl_k1": surfaces.quadratic_bowl(1.0),
            "bowl_k50_rotated": surfaces.quadratic_bowl(50.0, angle=30.0),
            "rosenbrock_a2_b10": surfaces.rosenbrock(a=2.0, b=10.0)}
TWO_D = {k: s for k, s in VARIANTS.items() if s.dim == 2}


def hessian(surface, p, eps=1e-5):
    """Central differences of the analytic gradient."""
    p = np.asarray(p, dtype=float)
    H = np.empty((surface.dim, surface.dim))
    for i in range(surface.dim):
        e = np.zeros(surface.dim)
        e[i] = eps
        H[:, i] = (surface.grad(p + e) - surface.grad(p - e)) / (2 * eps)
    return (H + H.T) / 2


@pytest.mark.parametrize("name", VARIANTS)
def test_gradient_matches_finite_differences(name):
    s = VARIANTS[name]
    rng = np.random.default_rng(0)
    lo, hi = np.array(s.bounds).T
    for p in list(rng.uniform(lo, hi, size=(20, s.dim))) + [np.array(q) for q in s.start]:
        assert gradient_check(s.value, s.grad, p) < 1e-6, (name, p)


@pytest.mark.parametrize("name", VARIANTS)
def test_f_and_df_are_vectorised_and_agree_with_value_and_grad(name):
    s = VARIANTS[name]
    rng = np.random.default_rng(1)
    lo, hi = np.array(s.bounds).T
    pts = rng.uniform(lo, hi, size=(7, s.dim))
    values = s.f(*pts.T)
    grads = np.stack(np.broadcast_arrays(*np.atleast_1d(s.df(*pts.T))), axis=-1).reshape(7, s.dim)
    for k, p in enumerate(pts):
        assert values[k] == pytest.approx(s.value(p), rel=1e-14)
        np.testing.assert_allclose(grads[k], s.grad(p), rtol=1e-14)
        assert s.grad(p).shape == (s.dim,) and s.grad(p).dtype == np.float64
    if s.dim == 2:
        X, Y, Z = s.grid(30)
        assert X.shape == Y.shape == Z.shape == (30, 30) and np.all(np.isfinite(Z))


@pytest.mark.parametrize("name", VARIANTS)
def test_minima_are_minima(name):
    s = VARIANTS[name]
    assert s.minima and s.minima[0].kind == "global"
    best = min(m.value for m in s.minima)
    for m in s.minima:
        assert len(m.point) == s.dim and m.kind in ("global", "local")
        assert s.value(m.point) == pytest.approx(m.value, abs=1e-12)
        assert np.linalg.norm(s.grad(m.point)) < 1e-9
        assert np.all(np.linalg.eigvalsh(hessian(s, m.point)) > 0)
        assert (m.kind == "global") == (m.value == pytest.approx(best, abs=1e-12))
    # nothing on a fine grid over the plotting bounds is lower than the global minimum
    if s.dim == 2:
        assert np.min(s.grid(301)[2]) >= s.global_minimum.value - 1e-12
    else:
        assert np.min(s.f(np.linspace(*s.bounds[0], 10001))) >= s.global_minimum.value - 1e-12


@pytest.mark.parametrize("name", VARIANTS)
def test_plot_suggestions_are_sensible(name):
    s = VARIANTS[name]
    for p in [m.point for m in s.minima] + list(s.start) + list(s.saddle_points):
        assert all(lo <= c <= hi for c, (lo, hi) in zip(p, s.bounds)), p
        assert len(p) == s.dim
    if s.dim == 2:
        assert len(s.levels) >= 5 and np.all(np.diff(s.levels) > 0)
    assert s.name and s.formula and s.note


def test_saddle_points_are_stationary_and_indefinite():
    for s in VARIANTS.values():
        for p in s.saddle_points:
            assert np.linalg.norm(s.grad(p)) < 1e-12
            eig = np.linalg.eigvalsh(hessian(s, p))
            assert eig.min() < 0 < eig.max() or np.allclose(eig, 0, atol=1e-6), (s.name, eig)


def test_known_values():
    assert surfaces.rosenbrock().value([0.0, 0.0]) == 1.0
    assert surfaces.rosenbrock().value([-1.0, 2.0]) == 4.0 + 100.0
    assert surfaces.beale().value([0.0, 0.0]) == 1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2
    assert surfaces.six_hump_camel().value([0.0, 0.0]) == 0.0
    assert surfaces.saddle().value([1.0, 1.0]) == 0.5
    assert surfaces.bumpy().value(2.0) == pytest.approx(0.5 + math.sin(2.0) ** 2)
    bowl = surfaces.quadratic_bowl(10.0)
    assert bowl.value([1.0, 1.0]) == 5.5                       # (1 + 10) / 2


@pytest.mark.parametrize("kappa, angle", [(1.0, 0.0), (10.0, 0.0), (25.0, 30.0), (100.0, -75.0)])
def test_quadratic_bowl_has_the_requested_condition_and_orientation(kappa, angle):
    s = surfaces.quadratic_bowl(kappa, angle)
    A = hessian(s, [0.3, -0.2])
    eig, vec = np.linalg.eigh(A)
    np.testing.assert_allclose(eig, [1.0, kappa], rtol=1e-8)
    theta = math.radians(angle)
    flat = np.array([math.cos(theta), math.sin(theta)])       # the valley direction (eigenvalue 1)
    assert abs(abs(vec[:, 0] @ flat) - 1.0) < 1e-8


def test_one_dimensional_surface_accepts_scalars_and_shape_1():
    b = surfaces.bumpy()
    assert b.dim == 1
    assert b.value(1.0) == b.value([1.0]) == b.value(np.array([1.0]))
    assert b.grad(1.0).shape == (1,)


@pytest.mark.parametrize("call, message", [
    (lambda: surfaces.rosenbrock().value([1.0, 2.0, 3.0]), r"shape \(2,\)"),
    (lambda: surfaces.rosenbrock().grad(1.0), r"shape \(2,\)"),
    (lambda: surfaces.bumpy().grad([1.0, 2.0]), r"shape \(1,\)"),
    (lambda: surfaces.beale().value(["a", "b"]), "numbers"),
    (lambda: surfaces.quadratic_bowl(condition=0.5), "condition"),
    (lambda: surfaces.quadratic_bowl(angle=float("nan")), "angle"),
    (lambda: surfaces.rosenbrock(b=0.0), "b"),
    (lambda: surfaces.bumpy().grid(), "1-D"),
])
def test_bad_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------
# run
# ----------------------------------------------------------------------------

def test_run_records_a_finite_path_and_converges_on_the_bowl():
    bowl = surfaces.quadratic_bowl(10.0)
    path = surfaces.run(optim.SGD(lr=0.1), bowl, steps=500, tol=1e-8)
    assert path.converged and not path.diverged
    k = path.steps
    assert path.points.shape == (k + 1, 2) and path.values.shape == path.grad_norms.shape == (k + 1,)
    assert np.array_equal(path.points[0], bowl.start[0])
    assert path.grad_norms[-1] <= 1e-8 < path.grad_norms[-2]
    np.testing.assert_allclose(path.values, [bowl.value(p) for p in path.points], rtol=1e-15)
    assert np.all(np.diff(path.values) < 0)                    # stable step size: f decreases
    assert "converged" in path.message and "global minimum (0, 0)" in path.message
    assert path.steps_to(1e-6) <= k and path.values[path.steps_to(1e-6)] <= 1e-6
    assert path.steps_to(0.0) is None or path.values[path.steps_to(0.0)] == 0.0
    assert path.final_value == path.values[-1]


def test_run_follows_the_optimizer_step_by_step():
    s = surfaces.rosenbrock()
    opt = optim.Adam(lr=0.05)
    path = surfaces.run(opt, s, steps=25)
    manual = optim.Adam(lr=0.05)
    p = np.array(s.start[0])
    for k in range(1, 26):
        p = manual.step(p, s.grad(p))
        np.testing.assert_array_equal(path.points[k], p)
    assert path.steps == 25 and not path.converged and "stopped after 25 steps" in path.message


def test_run_resets_the_optimizer_and_does_not_modify_the_start():
    s = surfaces.beale()
    start = np.array([1.0, 1.5])
    opt = optim.SGD(lr=1e-3, momentum=0.9)
    a = surfaces.run(opt, s, start=start, steps=50)
    b = surfaces.run(opt, s, start=start, steps=50)
    assert np.array_equal(a.points, b.points)
    assert np.array_equal(start, [1.0, 1.5])


@pytest.mark.parametrize("lr", [0.25, 1.0, 1e3, 1e300])
def test_divergence_stops_at_the_last_finite_point(lr):
    s = surfaces.rosenbrock()
    path = surfaces.run(optim.SGD(lr=lr), s, steps=1000)
    assert path.diverged and not path.converged
    assert np.all(np.isfinite(path.points)) and np.all(np.isfinite(path.values))
    assert np.all(np.isfinite(path.grad_norms)) and len(path.grad_norms) == len(path.points)
    assert path.steps < 1000
    assert "diverged" in path.message and "smaller learning rate" in path.message
    assert np.max(np.abs(path.points)) <= 1e6 and np.max(path.values) <= 1e8


def test_max_value_and_max_coordinate_are_honoured():
    bowl = surfaces.quadratic_bowl(10.0)
    path = surfaces.run(optim.SGD(lr=0.25), bowl, steps=1000, max_value=100.0)  # lr > 2/kappa
    assert path.diverged and path.values.max() <= 100.0 and "max_value" in path.message
    path = surfaces.run(optim.SGD(lr=0.25), bowl, steps=1000, max_coordinate=50.0)
    assert path.diverged and np.abs(path.points).max() <= 50.0 and "beyond" in path.message


def test_zero_steps_and_starting_at_the_minimum():
    s = surfaces.rosenbrock()
    path = surfaces.run(optim.SGD(lr=1e-3), s, steps=0)
    assert path.steps == 0 and path.points.shape == (1, 2)
    at_min = surfaces.run(optim.SGD(lr=1e-3), s, start=(1.0, 1.0))
    assert at_min.converged and at_min.steps == 0 and at_min.steps_to(0.0) == 0


def test_gradient_descent_started_on_the_axis_stops_at_the_saddle():
    s = surfaces.saddle()
    stuck = surfaces.run(optim.SGD(lr=0.1), s, start=(-1.8, 0.0), steps=1000)
    assert stuck.converged and np.allclose(stuck.final_point, 0.0, atol=1e-8)
    assert "not a known minimum" in stuck.message
    escaped = surfaces.run(optim.SGD(lr=0.1), s, start=(-1.8, 1e-3), steps=1000)
    assert escaped.converged and escaped.final_point[1] == pytest.approx(1.0, abs=1e-6)


def test_momentum_rolls_through_the_bumpy_local_minimum():
    b = surfaces.bumpy()
    gd = surfaces.run(optim.SGD(lr=0.1), b, start=5.0, steps=500)
    heavy = surfaces.run(optim.SGD(lr=0.1, momentum=0.9), b, start=5.0, steps=500)
    assert gd.points.shape[1] == 1
    assert gd.final_point[0] == pytest.approx(2.7607, abs=1e-3) and "local minimum" in gd.message
    assert abs(heavy.final_point[0]) < 1e-5 and heavy.steps_to(1e-8) is not None


def test_run_with_every_optimizer_on_every_surface_stays_finite():
    makers = [lambda: optim.SGD(lr=0.01), lambda: optim.SGD(lr=0.01, momentum=0.9, nesterov=True),
              lambda: optim.Adagrad(lr=0.5), lambda: optim.RMSprop(lr=0.01), lambda: optim.Adam(lr=0.1),
              lambda: optim.AdamW(lr=0.1)]
    for s in ALL.values():
        for make in makers:
            for start in s.start:
                path = surfaces.run(make(), s, start=start, steps=200)
                assert np.all(np.isfinite(path.points)) and np.all(np.isfinite(path.values))
                assert path.converged + path.diverged <= 1


@pytest.mark.parametrize("kwargs, message", [
    (dict(optimizer="adam"), "step"),
    (dict(surface="rosenbrock"), "Surface"),
    (dict(steps=-1), "steps"),
    (dict(steps=2.5), "steps"),
    (dict(tol=-1.0), "tol"),
    (dict(start=(1.0,)), r"shape \(2,\)"),
    (dict(start=(np.nan, 0.0)), "finite"),
    (dict(max_coordinate=0.0), "max_coordinate"),
])
def test_run_rejects_bad_arguments(kwargs, message):
    args = dict(optimizer=optim.SGD(lr=0.1), surface=surfaces.rosenbrock())
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        surfaces.run(**args)


def test_steps_to_rejects_a_negative_tolerance():
    path = surfaces.run(optim.SGD(lr=0.1), surfaces.quadratic_bowl(), steps=3)
    with pytest.raises(ValueError, match="tol"):
        path.steps_to(-1.0)


# ----------------------------------------------------------------------------
# drawing
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ALL)
def test_contour_and_curve_draw_and_return_none(name):
    import matplotlib.pyplot as plt

    s = ALL[name]
    fig, ax = plt.subplots()
    try:
        if s.dim == 2:
            assert surfaces.contour(ax, s, n=40, colorbar=True) is None
            assert ax.get_xlim() == s.bounds[0] and ax.get_ylim() == s.bounds[1]
            labels = ax.get_legend_handles_labels()[1]
            assert "global minimum" in labels
            with pytest.raises(ValueError, match="curve"):
                surfaces.curve(ax, s)
            with pytest.raises(ValueError, match="increasing"):
                surfaces.contour(ax, s, levels=[3.0, 1.0])
        else:
            assert surfaces.curve(ax, s) is None
            assert {"global minimum", "local minimum"} <= set(ax.get_legend_handles_labels()[1])
            with pytest.raises(ValueError, match="curve"):
                surfaces.contour(ax, s)
    finally:
        plt.close(fig)


def test_reprs_are_short_and_stable():
    s = surfaces.rosenbrock()
    path = surfaces.run(optim.SGD(lr=1e-3), s, steps=3)
    for text in (repr(s), repr(path), repr(surfaces.bumpy())):
        assert "0x" not in text and len(text) < 300
    assert "Rosenbrock" in repr(s) and "stopped after 3 steps" in repr(path)
