"""The checks of lesson 11 accept right answers and reject wrong ones with a useful hint."""
from __future__ import annotations

import numpy as np
import pytest

from lossopt import surfaces
from lossopt.checks import check_best_learning_rate, check_race, check_steps_to_tolerance

from checkutil import fails, passes

# -- right answers, written as a learner would ----------------------------------------------------


def steps_to_tolerance(values, f_star, tol):
    for k, v in enumerate(values):
        if np.isfinite(v) and v - f_star <= tol:
            return k
    return None


def steps_to_tolerance_numpy(values, f_star, tol):
    ok = np.isfinite(values) & (values - f_star <= tol)
    return int(np.argmax(ok)) if ok.any() else None


def race(optimizers, surface, start, steps, tol):
    f_star = surface.global_minimum.value
    return {name: steps_to_tolerance(surfaces.run(opt, surface, start, steps=steps).values, f_star, tol)
            for name, opt in optimizers.items()}


def race_with_steps_to(optimizers, surface, start, steps, tol):
    """Using lossopt's Trajectory.steps_to is right too."""
    return {name: surfaces.run(opt, surface, start, steps=steps).steps_to(tol) for name, opt in optimizers.items()}


def best_learning_rate(lrs, val_accuracy, test_accuracy):
    mean_val = val_accuracy.mean(axis=0)
    tied = np.flatnonzero(mean_val >= mean_val.max() - 1e-9)
    j = tied[np.argmin(lrs[tied])]
    return lrs[j], test_accuracy[:, j].mean()


def best_learning_rate_loop(lrs, val_accuracy, test_accuracy):
    means = [float(np.mean(val_accuracy[:, j])) for j in range(len(lrs))]
    candidates = [j for j in range(len(lrs)) if means[j] >= max(means) - 1e-9]
    j = min(candidates, key=lambda j: lrs[j])
    return float(lrs[j]), float(np.mean(test_accuracy[:, j]))


# -- passing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, answer", [
    (check_steps_to_tolerance, steps_to_tolerance), (check_steps_to_tolerance, steps_to_tolerance_numpy),
    (check_race, race), (check_race, race_with_steps_to),
    (check_best_learning_rate, best_learning_rate), (check_best_learning_rate, best_learning_rate_loop),
])
def test_right_answer_passes_with_one_line(check, answer, capsys):
    passes(check, answer, capsys)


# -- failing cleanly: NaN, arrays, keys, inputs changed, int or bool -------------------------------
# (a stub, None, a crash, None or a string returned: every check, in test_checks_contract.py)

ALL = [check_steps_to_tolerance, check_race, check_best_learning_rate]


@pytest.mark.parametrize("check", ALL)
@pytest.mark.parametrize("value", [float("nan"), np.zeros(3)])
def test_bad_return_values_fail(check, value):
    fails(check, lambda *args: value)


def test_race_needs_the_optimizer_names_as_keys():
    assert "keys" in fails(check_race, lambda opts, *args: {f"{k}!": None for k in opts} or {"x": 1})


def test_race_must_not_change_start():
    def writes(optimizers, surface, start, steps, tol):
        result = race(optimizers, surface, start, steps, tol)
        start[0] = 99.0
        return result
    assert "start" in fails(check_race, writes)


def test_steps_must_not_change_values():
    def writes(values, f_star, tol):
        values[np.isnan(values)] = np.inf
        return steps_to_tolerance(values, f_star, tol)
    assert "changed one of its inputs" in fails(check_steps_to_tolerance, writes)


def test_steps_float_or_bool_is_rejected():
    assert "int" in fails(check_steps_to_tolerance,
                          lambda v, f, t: None if steps_to_tolerance(v, f, t) is None else float(steps_to_tolerance(v, f, t)))
    assert "bool" in fails(check_steps_to_tolerance, lambda v, f, t: steps_to_tolerance(v, f, t) is not None)


# -- classic mistakes, each named in the hint ------------------------------------------------------

def steps_off_by_one(values, f_star, tol):
    k = steps_to_tolerance(values, f_star, tol)
    return None if k is None else k + 1


def steps_last_crossing(values, f_star, tol):
    ok = np.flatnonzero(np.isfinite(values) & (values - f_star <= tol))
    return int(ok[-1]) if ok.size else None


def steps_last_step(values, f_star, tol):
    return len(values) - 1 if steps_to_tolerance(values, f_star, tol) is not None else None


def steps_strict(values, f_star, tol):
    ok = np.flatnonzero(np.isfinite(values) & (values - f_star < tol))
    return int(ok[0]) if ok.size else None


def steps_without_f_star(values, f_star, tol):
    return steps_to_tolerance(values, 0.0, tol)


def steps_nan_counts(values, f_star, tol):
    ok = np.flatnonzero(~(values - f_star > tol))
    return int(ok[0]) if ok.size else None


def steps_argmax(values, f_star, tol):
    return int(np.argmax(values - f_star <= tol))


def steps_minus_one(values, f_star, tol):
    k = steps_to_tolerance(values, f_star, tol)
    return -1 if k is None else k


def steps_falsy_zero(values, f_star, tol):
    k = steps_to_tolerance(values, f_star, tol)
    return k if k else None


def steps_argmin(values, f_star, tol):
    return int(np.nanargmin(values)) if steps_to_tolerance(values, f_star, tol) is not None else None


@pytest.mark.parametrize("answer, keyword", [
    (steps_off_by_one, "off by one"),
    (steps_last_crossing, "FIRST"),
    (steps_last_step, "last step"),
    (steps_strict, "<="),
    (steps_without_f_star, "f_star"),
    (steps_nan_counts, "NaN"),
    (steps_argmax, "argmax"),
    (steps_minus_one, "-1"),
    (steps_falsy_zero, "k is None"),
    (steps_argmin, "smallest value"),
])
def test_steps_mistakes_are_named(answer, keyword):
    message = fails(check_steps_to_tolerance, answer)
    assert "classic mistake" in message and keyword in message, message


def race_zero_f_star(optimizers, surface, start, steps, tol):
    return {n: steps_to_tolerance(surfaces.run(o, surface, start, steps=steps).values, 0.0, tol)
            for n, o in optimizers.items()}


def race_default_start(optimizers, surface, start, steps, tol):
    return race(optimizers, surface, None, steps, tol)


def race_default_steps(optimizers, surface, start, steps, tol):
    f_star = surface.global_minimum.value
    return {n: steps_to_tolerance(surfaces.run(o, surface, start).values, f_star, tol) for n, o in optimizers.items()}


def race_off_by_one(optimizers, surface, start, steps, tol):
    return {n: (None if k is None else k + 1) for n, k in race(optimizers, surface, start, steps, tol).items()}


def race_steps_run(optimizers, surface, start, steps, tol):
    return {n: surfaces.run(o, surface, start, steps=steps).steps for n, o in optimizers.items()}


@pytest.mark.parametrize("answer, keyword", [
    (race_zero_f_star, "f*"),
    (race_default_start, "start"),
    (race_default_steps, "steps"),
    (race_off_by_one, "off by one"),
    (race_steps_run, "trajectory.steps"),
])
def test_race_mistakes_are_named(answer, keyword):
    message = fails(check_race, answer)
    assert "classic mistake" in message and keyword in message, message


def lr_on_test(lrs, val, test):
    return best_learning_rate(lrs, test, test)


def lr_first_tie(lrs, val, test):
    j = int(np.argmax(val.mean(axis=0)))
    return lrs[j], test[:, j].mean()


def lr_larger_tie(lrs, val, test):
    m = val.mean(axis=0)
    tied = np.flatnonzero(m >= m.max() - 1e-9)
    j = tied[np.argmax(lrs[tied])]
    return lrs[j], test[:, j].mean()


def lr_exact_tie(lrs, val, test):
    m = val.mean(axis=0)
    tied = np.flatnonzero(m == m.max())
    j = tied[np.argmin(lrs[tied])]
    return lrs[j], test[:, j].mean()


def lr_best_single_run(lrs, val, test):
    j = np.unravel_index(np.argmax(val), val.shape)[1]
    return lrs[j], test[:, j].mean()


def lr_wrong_axis(lrs, val, test):
    j = int(np.argmax(val.mean(axis=1)))
    return lrs[j], test[:, j].mean()


def lr_returns_val(lrs, val, test):
    lr, _ = best_learning_rate(lrs, val, test)
    j = int(np.flatnonzero(lrs == lr)[0])
    return lr, val[:, j].mean()


def lr_seed_zero(lrs, val, test):
    lr, _ = best_learning_rate(lrs, val, test)
    return lr, test[0, int(np.flatnonzero(lrs == lr)[0])]


def lr_returns_index(lrs, val, test):
    lr, acc = best_learning_rate(lrs, val, test)
    return float(np.flatnonzero(lrs == lr)[0]), acc


@pytest.mark.parametrize("answer, keyword", [
    (lr_on_test, "TEST"),
    (lr_first_tie, "argmax"),
    (lr_larger_tie, "not the larger"),
    (lr_exact_tie, "exactly"),
    (lr_best_single_run, "single best run"),
    (lr_wrong_axis, "wrong axis"),
    (lr_returns_val, "VALIDATION"),
    (lr_seed_zero, "seed 0"),
    (lr_returns_index, "index"),
])
def test_lr_mistakes_are_named(answer, keyword):
    message = fails(check_best_learning_rate, answer)
    assert "classic mistake" in message and keyword in message, message


def test_lr_wrong_axis_with_more_seeds_than_lrs_is_a_clean_failure():
    """An index beyond the lrs crashes the learner's code: the check reports it in a few lines."""
    def wrong_axis_crash(lrs, val, test):
        j = int(np.argmax(val.mean(axis=1)))
        return lrs[j] if j < len(lrs) else lrs[j + 100], 0.0
    fails(check_best_learning_rate, wrong_axis_crash)
