"""Every exercise notebook runs as a learner first gets it: nothing implemented.

Only cells tagged ``raises-exception`` may fail, and every check cell must fail saying
"not implemented yet" (not a NameError, not a crash, and not pass on an empty stub).
There is one test per exercise notebook of the lesson list (none while no lesson with
exercises is ready), plus a test that exercises/ holds exactly those notebooks.
"""
from __future__ import annotations


import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lossopt.build import RAISES_TAG, Course, calls_check, make_exercise, run_notebook
from lossopt.course import ROOT, Lesson

COURSE = Course.default()
TIMEOUT = 60   # seconds per cell; a lesson runs in well under 20 s in all


def exercise_problems(nb) -> list[str]:
    """What is wrong with an executed exercise notebook (empty when it behaves)."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        first_line = next((line for line in cell.source.splitlines() if line.strip()), "")
        where = f"cell {i} ({first_line.strip()[:60]!r})"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        error = errors[0] if errors else None
        said = error and f"{error.ename}: {error.evalue}".strip()
        if error and RAISES_TAG not in cell.metadata.get("tags", []):
            problems.append(f"{where} fails in the exercise notebook but is not tagged {RAISES_TAG} "
                            f"(tag it fails-in-exercise in the solution if that is expected): {said}")
        if calls_check(cell.source):
            if error is None:
                problems.append(f"{where}: the check passes before the learner wrote anything")
            elif "not implemented yet" not in error.evalue + "\n".join(error.traceback):
                problems.append(f"{where}: the check should say 'not implemented yet', but says {said}")
    return problems


def _run_exercise(lesson: Lesson) -> None:
    path = ROOT / lesson.exercise
    assert path.is_file(), f"{lesson.exercise} is missing: run `make course`"
    nb = nbformat.read(path, as_version=4)
    run_notebook(nb, path.parent, timeout=TIMEOUT, allow_errors=True)
    problems = exercise_problems(nb)
    assert not problems, f"{lesson.exercise}:\n  " + "\n  ".join(problems)


def _exercise_test(lesson: Lesson):
    def test():
        _run_exercise(lesson)
    test.__name__ = test.__qualname__ = f"test_exercises_{lesson.stem}"
    test.__doc__ = f"{lesson.exercise} runs as a learner first gets it."
    return test


# One test function per exercise notebook (so a failure names the lesson). While no lesson
# with exercises is ready there are none, rather than one skipped empty parametrization.
for _lesson in COURSE.with_exercises:
    globals()[f"test_exercises_{_lesson.stem}"] = _exercise_test(_lesson)


def test_exercise_files_are_exactly_those_of_the_lesson_list():
    present = {f"exercises/{p.name}" for p in (ROOT / "exercises").glob("*.ipynb")}
    expected = {lesson.exercise for lesson in COURSE.with_exercises}
    assert present == expected, (f"missing: {sorted(expected - present)}, not in the lesson list: "
                                 f"{sorted(present - expected)}; run `make course`")


# ----------------------------------------------------------------------------------------------
# The detector itself, on a synthetic exercise (so this file tests something even before the
# first lesson with exercises is ready)
# ----------------------------------------------------------------------------------------------

TOY_CHECK = '''import numpy as np
from lossopt.checks import Exercise

def check_double(answer):
    ex = Exercise("double", answer)
    x = np.array([1.0, -2.0])
    ex.compare("x = [1.0, -2.0]", ex.call("x = [1.0, -2.0]", x), 2 * x)
    ex.passed()'''


def test_detector_on_a_synthetic_exercise(tmp_path):
    solution = new_notebook()
    solution.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cells = [
        ("setup", TOY_CHECK, []),
        ("good-def", "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION", []),
        ("good-check", "check_double(double)", []),
        ("good-top-level", "### BEGIN SOLUTION\ny = double(np.ones(2))\n### END SOLUTION", []),
        ("good-uses-y", "print(y.sum())", ["fails-in-exercise"]),
        ("bad-untagged", "print(y.sum())", []),
        ("bad-name-error", "check_double(tripple)", []),
        ("bad-passes", "check_double(lambda x: x + x)", []),
    ]
    solution.cells = [new_markdown_cell("# Toy", id="title")]
    for cell_id, source, tags in cells:
        cell = new_code_cell(source, id=cell_id)
        if tags:
            cell.metadata["tags"] = tags
        solution.cells.append(cell)
    lesson = Lesson(1, "toy", "Toy", "Part", "Toy.", 1)
    exercise = make_exercise(solution, Course(tmp_path, [lesson], lesson), lesson)
    run_notebook(exercise, tmp_path, timeout=TIMEOUT, allow_errors=True)
    problems = exercise_problems(exercise)
    assert len(problems) == 3, problems
    assert "('print(y.sum())')" in problems[0] and "NameError" in problems[0] and "not tagged" in problems[0]
    assert "check_double(tripple)" in problems[1] and "NameError: name 'tripple' is not defined" in problems[1]
    assert "check_double(lambda x: x + x)" in problems[2] and "passes before the learner" in problems[2]
