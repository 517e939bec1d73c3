"""Checks for lesson 11, the optimizers compared.

Exercises:

- ``steps_to_tolerance(values, f_star, tol)``: the first step k (the start is step 0)
  with ``values[k] - f_star <= tol``, or None; NaN and inf never count;
- ``race(optimizers, surface, start, steps, tol)``: ``{name: steps to tolerance}`` for
  each optimizer run with :func:`lossopt.surfaces.run`;
- ``best_learning_rate(lrs, val_accuracy, test_accuracy)``: the learning rate with the
  best mean validation accuracy over seeds (ties within 1e-9 go to the smaller rate),
  and the mean test accuracy at that rate.

Expected values come from lossopt (:meth:`lossopt.surfaces.Trajectory.steps_to` on
real runs of :func:`lossopt.surfaces.run`) and from numpy. The ``mistakes`` tables hold
what each classic mistake would return, so the hint can name it.
"""
from __future__ import annotations

import numbers

import numpy as np

from .. import optim, surfaces
from ._core import NOT_IMPLEMENTED, CheckFailed, Exercise, _crash_hint, fmt

__all__ = ["check_steps_to_tolerance", "check_race", "check_best_learning_rate"]

TIE = 1e-9          # mean validation accuracies this close count as a tie


# -- comparing "a step count or None" ---------------------------------------------------------------

def _is_count(x) -> bool:
    return isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, (bool, np.bool_))


def _compare_count(ex: Exercise, case: str, got, expected, mistakes, *, what: str = "the result",
                   hint: str | None = None):
    """Fail unless ``got`` is the int ``expected`` (or None when ``expected`` is None).

    ``mistakes``: {description: what that mistake returns}, or a function giving it
    (called only when the answer is wrong, because some mistakes are costly to compute).
    """
    if isinstance(got, (bool, np.bool_)):
        ex.fail(f"{what} is {got!r}, a bool; expected {expected!r}.", case=case,
                hint="return the step number (an int), or None when the tolerance is never reached")
    if got is not None and not _is_count(got):
        if isinstance(got, (float, np.floating)) and float(got).is_integer() and expected is not None \
                and int(got) == expected:
            ex.fail(f"{what} is the float {float(got)!r}; expected the int {expected}.", case=case,
                    hint="a step number is an int: return int(k)")
        ex.fail(f"{what} is {fmt(got)} ({type(got).__name__}); expected {expected!r}.", case=case,
                hint="return the step number as an int, or None when the tolerance is never reached")
    if got is None and expected is None:
        ex.cases += 1
        return
    if got is not None and expected is not None and int(got) == expected:
        ex.cases += 1
        return
    if callable(mistakes):
        mistakes = mistakes()
    matched = next((desc for desc, value in mistakes.items()
                    if (value is None and got is None) or (value is not None and got is not None and int(got) == value)),
                   None)
    if matched is None and expected is None:
        matched = ("the tolerance is never reached here, so return None (not a step number)" if got is not None
                   else None)
    if matched is None and got is None:
        matched = f"the tolerance is reached, first at step {expected}: return that step, not None"
    ex.fail(f"{what} is wrong.", case=case, expected=expected, got=got, show_values=True,
            hint=(f"this looks like a classic mistake: {matched}" if matched else hint))


# -- exercise 1: steps to tolerance -------------------------------------------------------------------

def reference_steps_to_tolerance(values, f_star, tol):
    """The first k with values[k] - f_star <= tol (NaN/inf never count), or None. As Trajectory.steps_to."""
    v = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        hit = np.flatnonzero(np.isfinite(v) & (v - f_star <= tol))
    return int(hit[0]) if hit.size else None


def _steps_mistakes(values, f_star, tol):
    """What each classic mistake returns on (values, f_star, tol)."""
    v = np.asarray(values, dtype=float)
    n = len(v)
    with np.errstate(invalid="ignore"):
        gap = v - f_star
        ok = np.isfinite(v) & (gap <= tol)
        first = reference_steps_to_tolerance(v, f_star, tol)
        strict = np.flatnonzero(np.isfinite(v) & (gap < tol))
        no_fstar = np.flatnonzero(np.isfinite(v) & (v <= tol))
        nan_counts = np.flatnonzero(~(gap > tol))
        hits = np.flatnonzero(ok)
    out = {}
    if first is not None:
        out["off by one: the start is step 0 (values[0] is f at the start), so the first step within "
            "tolerance is its index in values, not index + 1"] = first + 1
    if hits.size:
        out["returned the last step within tolerance; the race counts the FIRST crossing"] = int(hits[-1])
        # the step after which the run stays within tolerance
        after = np.flatnonzero(~ok)
        settle = int(after[-1]) + 1 if after.size else 0
        if settle < n:
            out["returned the step after which the run stays within tolerance; the race counts the FIRST "
                "crossing, even if the run leaves again"] = settle
    out["returned the last step (len(values) - 1); return the first step at which f - f* <= tol"] = n - 1
    out["returned len(values), the number of recorded values; return the first step at which f - f* <= tol"] = n
    out["used < instead of <=: a value exactly f* + tol counts as reached"] = (int(strict[0]) if strict.size
                                                                              else None)
    out["forgot f_star: compare values - f_star with tol, not the values themselves (f* is not always 0)"] = (
        int(no_fstar[0]) if no_fstar.size else None)
    out["ignored divergence: NaN compares False with everything, so `not (v - f_star > tol)` counts a NaN "
        "as reached; a NaN or inf value never reaches the tolerance"] = (int(nan_counts[0]) if nan_counts.size
                                                                          else None)
    finite = np.where(np.isfinite(v), v, np.inf)
    out["returned the step with the smallest value; return the FIRST step within tolerance"] = int(np.argmin(finite))
    if first is None:
        out["np.argmax of an all-False array is 0: check that some step reached the tolerance, else return None"] = 0
        out["return None (not -1) when the tolerance is never reached"] = -1
    if first == 0:
        out["step 0 (the start) is already within tolerance: `if k:` treats 0 as False; "
            "test `k is None` instead"] = None
    return {desc: value for desc, value in out.items() if value != first}


def _steps_cases():
    """(description, values, f_star, tol)."""
    rng = np.random.default_rng(1111)
    nan, inf = float("nan"), float("inf")
    cases = []

    def add(values, f_star, tol, label=None):
        values = np.asarray(values, dtype=float)
        desc = (f"values = {fmt(values, 4)}" if values.size <= 10 else f"{values.size} values, {label}")
        cases.append((desc + f", f_star = {f_star:g}, tol = {tol:g}", values, f_star, tol))

    # first: crosses, leaves, crosses again, then blows up: most mistakes differ here
    add([4.0, 2.0, 0.5, 0.05, 0.3, 0.001, 0.002, nan], 0.0, 0.1)
    add([8.0, 4.0, 2.0, 1.0, 0.5, 0.25, 0.3, 0.2, 0.3, 0.05, 0.3], 0.0, 0.25)  # exactly f* + tol at step 5
    add([3.0, 1.0, 0.2, 0.01], 0.0, 1e-3)                                  # never
    add([0.5, 0.2, 0.001], 0.0, 1.0)                                       # the start is within tolerance
    add([5.0, 3.0, 1.0, nan, nan], 0.0, 0.5)                               # diverged before reaching it
    add([5.0, 3.0, 1.0, inf], 0.0, 0.5)                                    # inf never counts
    add([5.0, 0.1, 7.0, 1e30, inf, nan], 0.0, 0.5)                         # reached, then diverged
    add([0.3, -0.2, -0.4999999, -0.5], -0.5, 1e-6)                         # f* < 0 (the saddle)
    add([2.5, 2.2, 2.1043, 2.10425031], 2.10425031, 1e-4)                  # f* > 0
    add([1.0], 0.0, 0.5)                                                   # one value, never
    add([0.0], 0.0, 0.0)                                                   # one value, tol = 0
    add([1.0, 0.5, 0.0, 0.0], 0.0, 0.0)                                    # tol = 0: f = f* exactly
    add([nan, nan], 0.0, 1.0)                                              # nothing finite at all
    for n, tol in [(30, 0.3), (200, 1e-2), (1000, 1e-4)]:
        walk = np.exp(np.cumsum(rng.normal(-0.02, 0.4, size=n)))           # a noisy descent with many crossings
        add(walk, 0.0, tol, "a noisy descent that crosses the tolerance many times")
    for n in [25, 60]:
        values = np.abs(rng.normal(size=n)) * np.linspace(3, 0.01, n) - 1.0316
        add(values, -1.0316284534898774, 0.05, "random values above f* = -1.0316")
    return cases


def _trajectory_cases():
    """Real runs of lossopt: (description, values, f_star, tol, Trajectory.steps_to(tol))."""
    runs = [
        ("Adam(lr=0.3) on Rosenbrock from (-1.2, 1), 700 steps", optim.Adam(lr=0.3), surfaces.rosenbrock(),
         (-1.2, 1.0), 700, 1e-6),
        ("RMSprop(lr=0.3) on the turned bowl (kappa = 50), 300 steps: it reaches the tolerance and leaves again",
         optim.RMSprop(lr=0.3), surfaces.quadratic_bowl(50.0, angle=30.0), None, 300, 1e-6),
        ("RMSprop(lr=0.1) on the saddle from (-1.8, 0.001), 60 steps", optim.RMSprop(lr=0.1), surfaces.saddle(),
         (-1.8, 1e-3), 60, 1e-6),
        ("SGD(lr=0.3) on the bowl (kappa = 10), 50 steps: it diverges", optim.SGD(lr=0.3),
         surfaces.quadratic_bowl(10.0), None, 50, 1e-6),
        ("SGD(lr=0.003, momentum=0.9) on Beale from (1, 1.5), 400 steps", optim.SGD(lr=3e-3, momentum=0.9),
         surfaces.beale(), (1.0, 1.5), 400, 1e-6),
    ]
    cases = []
    for desc, opt, surface, start, steps, tol in runs:
        path = surfaces.run(opt, surface, start, steps=steps)
        cases.append((f"the values of {desc}, f_star = {surface.global_minimum.value:g}, tol = {tol:g}",
                      path.values, surface.global_minimum.value, tol, path.steps_to(tol)))
    return cases


def check_steps_to_tolerance(steps_to_tolerance):
    """Check ``steps_to_tolerance(values, f_star, tol)`` -> first k with values[k] - f_star <= tol, or None."""
    ex = Exercise("steps_to_tolerance", steps_to_tolerance)
    hint = "return the first index k with values[k] - f_star <= tol (values[0] is step 0), or None"
    for desc, values, f_star, tol in _steps_cases():
        got = ex.call(desc, values.copy(), f_star, tol)
        _compare_count(ex, desc, got, reference_steps_to_tolerance(values, f_star, tol),
                       lambda: _steps_mistakes(values, f_star, tol), what="the step", hint=hint)
    for desc, values, f_star, tol, expected in _trajectory_cases():
        got = ex.call(desc, values.copy(), f_star, tol)
        _compare_count(ex, desc, got, expected, lambda: _steps_mistakes(values, f_star, tol), what="the step",
                       hint=hint + "; lossopt's Trajectory.steps_to(tol) gives the same number")
    ex.passed()


# -- exercise 2: a race ----------------------------------------------------------------------------------

def reference_race(optimizers, surface, start, steps, tol):
    """{name: steps to tolerance} from lossopt: surfaces.run(...).steps_to(tol)."""
    return {name: surfaces.run(opt, surface, start, steps=steps).steps_to(tol) for name, opt in optimizers.items()}


def _race_cases():
    """(description, make_optimizers, surface, start, steps, tol); make_optimizers() gives fresh optimizers."""
    return [
        ("GD(lr=0.1) and Adam(lr=0.1) on the quadratic bowl (kappa = 10) from (-3, 1.5), steps=200, tol=1e-6",
         lambda: {"GD": optim.SGD(lr=0.1), "Adam": optim.Adam(lr=0.1)},
         surfaces.quadratic_bowl(10.0), np.array([-3.0, 1.5]), 200, 1e-6),
        ("GD, Momentum and RMSprop on the saddle (f* = -0.5) from (-1.8, 0.001), steps=120, tol=1e-6",
         lambda: {"GD": optim.SGD(lr=0.1), "Momentum": optim.SGD(lr=0.1, momentum=0.9),
                  "RMSprop": optim.RMSprop(lr=0.1)},
         surfaces.saddle(), np.array([-1.8, 1e-3]), 120, 1e-6),
        ("Momentum, Nesterov and Adam on Rosenbrock from (-1.2, 1), steps=300, tol=1e-2",
         lambda: {"Momentum": optim.SGD(lr=3e-3, momentum=0.9),
                  "Nesterov": optim.SGD(lr=1e-3, momentum=0.9, nesterov=True), "Adam": optim.Adam(lr=0.3)},
         surfaces.rosenbrock(), np.array([-1.2, 1.0]), 300, 1e-2),
        ("GD(lr=0.05), GD(lr=1.0, diverges) and Adagrad on Beale from (-1, -1) (not the default start), "
         "steps=800, tol=1e-3",
         lambda: {"GD small": optim.SGD(lr=0.05), "GD large": optim.SGD(lr=1.0), "Adagrad": optim.Adagrad(lr=1.0)},
         surfaces.beale(), np.array([-1.0, -1.0]), 800, 1e-3),
        ("GD(lr=0.01) and Adam(lr=0.05) on the six-hump camel (f* = -1.0316) from (0.5, -0.2), steps=600, tol=1e-4",
         lambda: {"GD": optim.SGD(lr=0.01), "Adam": optim.Adam(lr=0.05)},
         surfaces.six_hump_camel(), np.array([0.5, -0.2]), 600, 1e-4),
        ("Adam(lr=0.05) on the six-hump camel from (-1.9, 1) (it ends in a local minimum), steps=400, tol=1e-4",
         lambda: {"Adam": optim.Adam(lr=0.05)},
         surfaces.six_hump_camel(), np.array([-1.9, 1.0]), 400, 1e-4),
        ("GD(lr=0.01) alone on the bowl (kappa = 10) from (1, 1), steps=5, tol=10 (the start is within it)",
         lambda: {"GD": optim.SGD(lr=0.01)}, surfaces.quadratic_bowl(10.0), np.array([1.0, 1.0]), 5, 10.0),
        ("no optimizers at all (an empty dict), on Rosenbrock, steps=10, tol=1e-6",
         lambda: {}, surfaces.rosenbrock(), np.array([-1.2, 1.0]), 10, 1e-6),
    ]


def _race_mistakes(make, surface, start, steps, tol):
    """{description: {name: value}} for the classic mistakes of race."""
    f_star = surface.global_minimum.value

    def by(fn):
        return {name: fn(opt) for name, opt in make().items()}

    def values(opt, start_=start, steps_=steps):
        return surfaces.run(opt, surface, start_, steps=steps_).values

    return {
        "ignored f*: compare f - f* with tol, where f* = surface.global_minimum.value (not 0)":
            by(lambda o: reference_steps_to_tolerance(values(o), 0.0, tol)),
        "did not pass `start` to surfaces.run, so every run began at surface.start[0]":
            by(lambda o: reference_steps_to_tolerance(values(o, start_=None), f_star, tol)),
        "did not pass `steps` to surfaces.run (its default is 500 steps)":
            by(lambda o: reference_steps_to_tolerance(values(o, steps_=500), f_star, tol)),
        "off by one: the start is step 0, so the answer is the index in trajectory.values":
            by(lambda o: (lambda k: None if k is None else k + 1)(reference_steps_to_tolerance(values(o), f_star, tol))),
        "returned trajectory.steps (how many steps were run), not the first step within tolerance":
            by(lambda o: surfaces.run(o, surface, start, steps=steps).steps),
    }


def _call_race(ex: Exercise, case: str, race, optimizers, surface, start, steps, tol):
    """Call the answer (optimizers carry state, so no deep-copy comparison); fail cleanly on a crash."""
    start_before = start.copy()
    try:
        result = race(optimizers, surface, start, steps, tol)
    except NotImplementedError:
        raise CheckFailed(f"{ex.name}: {NOT_IMPLEMENTED}") from None
    except CheckFailed:
        raise
    except Exception as exc:
        ex.fail(f"your function raised {type(exc).__name__}: {exc}", case=case, hint=_crash_hint(exc))
    if not np.array_equal(start, start_before):
        ex.fail("your function changed `start` in place.", case=case,
                hint="surfaces.run does not modify start; do not write into it")
    return result


def check_race(race):
    """Check ``race(optimizers, surface, start, steps, tol)`` -> {name: steps to tolerance or None}."""
    ex = Exercise("race", race)
    for desc, make, surface, start, steps, tol in _race_cases():
        expected = reference_race(make(), surface, start, steps, tol)
        got = _call_race(ex, desc, race, make(), surface, start.copy(), steps, tol)
        if not isinstance(got, dict):
            ex.fail(f"expected a dict {{name: steps}}, got {fmt(got)} ({type(got).__name__}).", case=desc,
                    hint="return a dict with one entry per optimizer: {name: steps_to_tolerance(...)}")
        if set(got) != set(expected):
            ex.fail(f"the dict has the keys {sorted(got)}, expected {sorted(expected)}.", case=desc,
                    hint="use the names of the `optimizers` dict as keys, one entry each")
        for name in expected:
            def per_name(name=name):
                mistakes = _race_mistakes(make, surface, start, steps, tol)
                return {d: v[name] for d, v in mistakes.items() if v[name] != expected[name]}
            _compare_count(ex, f"{desc}; optimizer {name!r}", got[name], expected[name], per_name,
                           what=f"race[{name!r}]",
                           hint="run surfaces.run(opt, surface, start, steps=steps) and count with "
                                "steps_to_tolerance(path.values, surface.global_minimum.value, tol)")
    ex.passed()


# -- exercise 3: choosing the learning rate ------------------------------------------------------------

def reference_best_learning_rate(lrs, val_accuracy, test_accuracy):
    """(lr, mean test accuracy at it): best mean validation accuracy over seeds; ties within 1e-9 -> smaller lr."""
    lrs = np.asarray(lrs, dtype=float)
    scores = np.mean(val_accuracy, axis=0)
    tied = np.flatnonzero(scores >= scores.max() - TIE)
    j = int(tied[np.argmin(lrs[tied])])
    return float(lrs[j]), float(np.mean(np.asarray(test_accuracy)[:, j]))


def _lr_mistakes(lrs, val, test):
    """{description: (lr, test accuracy)} for the classic mistakes."""
    lrs = np.asarray(lrs, dtype=float)
    val, test = np.asarray(val, dtype=float), np.asarray(test, dtype=float)
    mean_val, mean_test = val.mean(axis=0), test.mean(axis=0)

    def pick(j):
        return float(lrs[j]), float(mean_test[j])

    def smallest_tied(scores):
        tied = np.flatnonzero(scores >= scores.max() - TIE)
        return int(tied[np.argmin(lrs[tied])])

    ref_j = smallest_tied(mean_val)
    out = {
        "chose the learning rate by TEST accuracy: choose with the validation set, the test set only reports":
            pick(smallest_tied(mean_test)),
        "compared the means exactly: means of the same numbers in a different order can differ in the last "
        "bit, so treat means within 1e-9 of the best as ties":
            pick(int((lambda t: t[np.argmin(lrs[t])])(np.flatnonzero(mean_val == mean_val.max())))),
        "ties go to the SMALLER learning rate; np.argmax picks the first tied column, which is not the "
        "smallest lr unless lrs are sorted": pick(int(np.argmax(mean_val))),
        "ties go to the smaller learning rate, not the larger one":
            pick(int((lambda t: t[np.argmax(lrs[t])])(np.flatnonzero(mean_val >= mean_val.max() - TIE)))),
        "picked the single best run (one seed); average the validation accuracy over the seeds (axis 0) first":
            pick(int(np.unravel_index(np.argmax(val), val.shape)[1])),
        "returned the mean VALIDATION accuracy; report the mean TEST accuracy at the chosen lr":
            (float(lrs[ref_j]), float(mean_val[ref_j])),
        "returned the test accuracy of seed 0 only; report the mean over the seeds":
            (float(lrs[ref_j]), float(test[0, ref_j])),
        "returned the best test accuracy over the seeds; report their mean":
            (float(lrs[ref_j]), float(test[:, ref_j].max())),
        "returned the index of the learning rate, not the learning rate itself":
            (float(ref_j), float(mean_test[ref_j])),
    }
    per_seed = val.mean(axis=1)                                       # the wrong axis
    k = int(np.argmax(per_seed))
    if k < len(lrs):
        out["averaged over the wrong axis: val_accuracy[i, j] is seed i and lr j, so average over axis 0 "
            "(the seeds) and choose among the columns"] = pick(k)
    return out


def _lr_cases():
    """(description, lrs, val_accuracy, test_accuracy)."""
    rng = np.random.default_rng(1103)
    cases = []

    def acc(shape, n_examples, centre):
        return np.clip(np.round((centre + rng.normal(0, 0.03, size=shape)) * n_examples) / n_examples, 0, 1)

    # 3 seeds x 5 lrs: the best mean (lr 1e-2), the best single run (3e-2), the best test accuracy (3e-3)
    # and the best seed's row (seed 0 -> column 0) are all different columns
    lrs = np.array([1e-3, 3e-3, 1e-2, 3e-2, 1e-1])
    val = np.array([[0.80, 0.90, 0.93, 0.92, 0.70],
                    [0.82, 0.91, 0.92, 0.95, 0.60],
                    [0.81, 0.89, 0.94, 0.90, 0.65]])
    test = np.array([[0.79, 0.96, 0.92, 0.93, 0.66],
                     [0.80, 0.95, 0.91, 0.94, 0.61],
                     [0.80, 0.97, 0.93, 0.92, 0.64]])
    cases.append(("lrs = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1], 3 seeds, no ties", lrs, val, test))
    # one seed, shuffled lrs, three-way tie: first tied, largest tied and smallest tied all differ
    lrs = np.array([0.3, 0.001, 0.03, 0.1, 0.01])
    val = np.array([[0.91, 0.50, 0.93, 0.93, 0.93]])
    test = np.array([[0.95, 0.52, 0.90, 0.91, 0.92]])
    cases.append(("one seed, lrs shuffled [0.3, 0.001, 0.03, 0.1, 0.01], three lrs tie", lrs, val, test))
    # an exact tie between two lrs, given in descending order: the smaller must win
    lrs = np.array([1.0, 0.3, 0.1, 0.03])
    val = np.array([[0.50, 0.95, 0.95, 0.90], [0.60, 0.93, 0.93, 0.91]])
    test = np.array([[0.52, 0.94, 0.92, 0.90], [0.58, 0.92, 0.95, 0.89]])
    cases.append(("lrs in descending order [1, 0.3, 0.1, 0.03], 2 seeds, lr 0.3 and 0.1 tie exactly", lrs, val, test))
    # a tie only up to rounding: means of the same three accuracies in another order
    lrs = np.array([0.01, 0.001, 0.1])
    val = np.array([[241, 240, 200], [242, 241, 210], [240, 242, 205]]) / 269
    test = np.array([[400, 410, 300], [405, 402, 310], [398, 399, 305]]) / 450
    cases.append(("lrs = [0.01, 0.001, 0.1], 3 seeds; the mean val accuracies of 0.01 and 0.001 differ only in "
                  "the last bit (a tie)", lrs, val, test))
    # a single learning rate
    cases.append(("a single lr [0.01], 3 seeds", np.array([0.01]), np.array([[0.9], [0.92], [0.91]]),
                  np.array([[0.88], [0.9], [0.93]])))
    # square (3 seeds x 3 lrs): the wrong axis gives a valid but wrong index
    lrs = np.array([1e-4, 1e-3, 1e-2])
    val = np.array([[0.99, 0.10, 0.50], [0.40, 0.95, 0.90], [0.40, 0.94, 0.91]])
    test = np.array([[0.97, 0.12, 0.52], [0.41, 0.93, 0.88], [0.39, 0.95, 0.90]])
    cases.append(("3 seeds x 3 lrs [1e-4, 1e-3, 1e-2]; seed 0 is an outlier", lrs, val, test))
    # random sweeps, several shapes, realistic accuracies (multiples of 1/269 and 1/450)
    for seeds, n in [(3, 10), (5, 7), (2, 12), (4, 4)]:
        lrs = rng.permutation(10.0 ** np.linspace(-4, 0.5, n))
        centre = 0.95 - 0.15 * (np.log10(lrs) + 1.5) ** 2
        val, test = acc((seeds, n), 269, centre), acc((seeds, n), 450, centre)
        cases.append((f"a random sweep: {seeds} seeds x {n} lrs in random order", lrs, val, test))
    return cases


def check_best_learning_rate(best_learning_rate):
    """Check ``best_learning_rate(lrs, val_accuracy, test_accuracy)`` -> (lr, mean test accuracy at lr)."""
    ex = Exercise("best_learning_rate", best_learning_rate, rtol=1e-12, atol=1e-12)
    for desc, lrs, val, test in _lr_cases():
        result = ex.call(desc, lrs.copy(), val.copy(), test.copy())
        if result is None:
            ex.fail("your function returned None.", case=desc,
                    hint="return a tuple (lr, test_accuracy); did you forget the `return` statement?")
        if isinstance(result, (str, bytes, dict)) or not hasattr(result, "__len__") or len(result) != 2:
            ex.fail(f"expected a tuple (lr, test_accuracy), got {fmt(result)}.", case=desc,
                    hint="return lr, test_accuracy")
        lr, test_acc = result
        ref_lr, ref_test = reference_best_learning_rate(lrs, val, test)
        mistakes = _lr_mistakes(lrs, val, test)
        wrong = [d for d, (m_lr, m_acc) in mistakes.items()
                 if _close(lr, m_lr) and _close(test_acc, m_acc) and not (_close(m_lr, ref_lr) and
                                                                        _close(m_acc, ref_test))]
        hint = ("choose the column j with the largest mean over seeds of val_accuracy[:, j] (ties within 1e-9: "
                "the smallest lr), return lrs[j] and the mean of test_accuracy[:, j]")
        ok = _close(lr, ref_lr) and _close(test_acc, ref_test)
        if not ok and wrong:
            ex.fail("the result is wrong.", case=desc, expected=(ref_lr, ref_test), got=(lr, test_acc),
                    show_values=True, hint=f"this looks like a classic mistake: {wrong[0]}")
        ex.compare(desc, lr, ref_lr, what="the learning rate", hint=hint)
        ex.compare(desc, test_acc, ref_test, what="the test accuracy", hint=hint)
    ex.passed()


def _close(a, b) -> bool:
    try:
        return bool(np.isclose(float(a), float(b), rtol=1e-12, atol=1e-12))
    except (TypeError, ValueError):
        return False

