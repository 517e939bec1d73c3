"""Every lesson in a real JupyterLab (headless Chromium): `make test-browser`.

For the course index, every ready lesson and every exercise notebook: open it, run
all cells in the browser, assert that every cell ran and none ends in an error
(except, in exercises, the unfinished ones tagged raises-exception, which Run All
goes past) and that every widget renders, then move each slider with the
keyboard and assert that its figure repaints, recording the time from the key
press to the new picture. A failing test leaves a screenshot in test-artifacts/.
"""
from __future__ import annotations

import json

import pytest

from lab import run_notebook
from lossopt.course import INDEX, ROOT, ready_lessons

ARTIFACTS = ROOT / "test-artifacts"

NOTEBOOKS = [INDEX.notebook] + [lesson.notebook for lesson in ready_lessons()] + [
    lesson.exercise for lesson in ready_lessons() if lesson.has_exercises]
TIMINGS: dict[str, list] = {}
TARGET_MS = 250


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.split("/")[-1] for p in NOTEBOOKS])
def test_notebook_in_jupyterlab(path, lab_server, page):
    run = run_notebook(page, lab_server, path)
    TIMINGS[path] = run.slider_times
    code_cells = [c for c in run.cells if c]
    assert code_cells, f"{path}: no code cells found in the page"
    problems = run.problems()
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)
    for label, ms, _ in run.slider_times:
        print(f"{path}: slider {label!r}: {ms:.0f} ms from key press to new picture")


def test_report_slider_timings():
    """Runs last (file order): writes the timings and prints the slowest update."""
    if not TIMINGS:
        pytest.skip("no notebook ran in this session (run the whole file)")
    rows = [(path, label, ms) for path, times in TIMINGS.items() for label, ms, changed in times if changed]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser-timings.json").write_text(json.dumps(
        [{"notebook": p, "slider": s, "ms": round(ms, 1)} for p, s, ms in rows], indent=1))
    if rows:
        path, label, ms = max(rows, key=lambda r: r[2])
        verdict = "within" if ms <= TARGET_MS else "OVER"
        print(f"\nslowest slider-to-picture in the browser: {path} {label!r} {ms:.0f} ms "
              f"({verdict} the {TARGET_MS} ms target)")
