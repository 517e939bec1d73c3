"""What every lesson and solution notebook must have, read from the committed files.

- No cell tagged ``raises-exception`` in lessons or solutions: a lesson never raises. It
  shows an error by catching it and printing its message, so it runs top to bottom in
  any front end, and a learner never sees a red traceback that is "meant to be there".
  (Only generated exercise notebooks have such cells, for the unfinished exercises;
  JupyterLab's Run All goes on past them, as tests/browser checks.)
- Every code cell was executed and no output is an error.
- A lesson has LaTeX maths, at least three figures and at least one widget.
"""
from __future__ import annotations

import json

import pytest

from lossopt.course import ROOT, ready_lessons

LESSONS = ready_lessons()
EXECUTED = [lesson.notebook for lesson in LESSONS] + [
    lesson.solution for lesson in LESSONS if lesson.has_exercises]


def _load(rel):
    return json.loads((ROOT / rel).read_text(encoding="utf-8"))


@pytest.mark.parametrize("rel", EXECUTED)
def test_runs_top_to_bottom_in_jupyterlab(rel):
    nb = _load(rel)
    for i, cell in enumerate(nb["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        assert "raises-exception" not in tags, (
            f"{rel} cell {i} is tagged raises-exception: lessons and solutions never raise. "
            "Catch the error and print it instead (try: ... except ValueError as err: print(err))")
        if cell["cell_type"] != "code":
            continue
        assert cell.get("execution_count") is not None, f"{rel} cell {i} was not executed: run `make execute`"
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{rel} cell {i} ends in {errors[0].get('ename')}: {errors[0].get('evalue')}"


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.stem for lesson in LESSONS])
def test_lesson_has_maths_figures_and_a_widget(lesson):
    nb = _load(lesson.notebook)
    markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    figures = sum("image/png" in o.get("data", {}) for o in outputs)
    widgets = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert "$" in markdown, f"{lesson.notebook} has no LaTeX maths"
    assert figures >= 3, f"{lesson.notebook} has {figures} figures; a lesson needs at least three"
    assert widgets >= 1, f"{lesson.notebook} has no interactive widget"
