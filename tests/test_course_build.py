"""The course machinery (lossopt/build.py): generated files are fresh, links resolve, and the
generator does the right thing on a synthetic course (navigation, index, README, exercises)."""
from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lossopt import build
from lossopt.build import BuildError, Course, calls_check, clear_solutions
from lossopt.course import INDEX, LESSONS, ROOT, Lesson

COURSE = Course.default()
FOLDERS = ("notebooks", "solutions", "exercises")


# ----------------------------------------------------------------------------------------------
# The real course
# ----------------------------------------------------------------------------------------------

def test_generated_files_are_fresh():
    plan = build.plan_course(COURSE)
    assert not plan.problems, "\n".join(plan.problems)
    assert not plan.stale, ("stale generated files: " + ", ".join(plan.stale)
                            + "; run `make course` (python -m lossopt.build)")


def test_check_command_passes_on_the_repository(capsys):
    assert build.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_every_ready_lesson_has_its_notebooks():
    missing = []
    for lesson in COURSE.ready:
        wanted = [lesson.notebook] + ([lesson.solution, lesson.exercise] if lesson.has_exercises else [])
        missing += [path for path in wanted if not (ROOT / path).is_file()]
    assert not missing, f"missing: {', '.join(missing)} (exercises/: run `make course`)"


def test_every_notebook_is_in_the_lesson_list():
    expected = COURSE.expected_files()
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            assert f"{folder}/{path.name}" in expected[folder], (
                f"{folder}/{path.name} is not in the lesson list (lossopt/course.py)")


def test_index_is_the_one_lesson_list():
    assert (ROOT / INDEX.notebook).is_file()
    numbers = [lesson.number for lesson in LESSONS]
    assert numbers == list(range(1, len(LESSONS) + 1)), "lessons are numbered 1, 2, 3, ... in order"
    assert len({lesson.slug for lesson in LESSONS}) == len(LESSONS)


def test_exercise_notebooks_have_no_outputs():
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"
            assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source


# ----------------------------------------------------------------------------------------------
# Every link resolves
# ----------------------------------------------------------------------------------------------

_MD_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def _links(markdown: str) -> list[str]:
    text = _CODE.sub("", markdown)
    return _MD_LINK.findall(text) + _HTML_LINK.findall(text)


def _anchors(markdown_texts: list[str]) -> set[str]:
    """Anchors a heading gets in JupyterLab (spaces to '-') and on GitHub (lower case, no punctuation)."""
    found = set()
    for text in markdown_texts:
        text = _CODE.sub(lambda m: m.group(0).strip("`"), text)
        for heading in _HEADING.findall(text):
            plain = re.sub(r"[*_`]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip()
            found.add(plain.replace(" ", "-"))
            found.add(re.sub(r"[^\w\- ]", "", plain.lower()).replace(" ", "-"))
        found.update(re.findall(r"""<a\s+(?:id|name)\s*=\s*["']([^"']+)["']""", text))
    return found


def _markdown_of(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    return [path.read_text(encoding="utf-8")]


def _not_yet_generated(doc: Path) -> set[Path]:
    """A lesson that is not ready yet may already link to course notebooks that do not exist
    yet (its own exercises, a planned lesson); once it is ready, every link must resolve."""
    if any(not lesson.ready and doc == ROOT / lesson.notebook for lesson in LESSONS):
        return {(ROOT / path).resolve() for lesson in LESSONS
                for path in (lesson.notebook, lesson.solution, lesson.exercise)}
    return set()


def _documents() -> list[Path]:
    docs = [ROOT / "README.md"]
    for folder in FOLDERS:
        docs.extend(sorted((ROOT / folder).glob("*.ipynb")))
    return docs


@pytest.mark.parametrize("doc", _documents(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(doc):
    broken = []
    pending = _not_yet_generated(doc)
    for text in _markdown_of(doc):
        for link in _links(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", link, re.IGNORECASE):   # http:, https:, mailto:, ...
                continue
            target, _, anchor = unquote(link).partition("#")
            path = (doc.parent / target).resolve() if target else doc
            if path in pending and not path.exists():
                continue
            if not path.exists():
                broken.append(f"{link} (no file {path})")
            elif anchor and path.suffix in (".ipynb", ".md") and anchor not in _anchors(_markdown_of(path)):
                broken.append(f"{link} (no heading or anchor #{anchor} in {path.name})")
    assert not broken, f"broken links in {doc.relative_to(ROOT)}:\n  " + "\n  ".join(broken)


def test_link_finder_finds_links():
    text = "see [a](x.ipynb) and ![img](fig.png), `[not](code.ipynb)`, <a href='y.md#top'>y</a>"
    assert _links(text) == ["x.ipynb", "fig.png", "y.md#top"]
    assert {"The-lessons", "the-lessons", "Part-I:-Losses", "part-i-losses"} <= _anchors(["## The lessons\n### Part I: Losses"])


# ----------------------------------------------------------------------------------------------
# A synthetic course in a temporary folder
# ----------------------------------------------------------------------------------------------

def _lessons(title_of_2: str = "Second") -> list[Lesson]:
    return [
        Lesson(1, "first", "First", "Part A", "The first one.", 30),
        Lesson(2, "second", title_of_2, "Part A", "The second one.", 40),
        Lesson(3, "third", "Third", "Part B", "Not written yet.", 20, ready=False),
        Lesson(4, "fourth", "Fourth", "Part B", "Has no exercises.", 15, has_exercises=False),
        Lesson(5, "fifth", "Fifth", "Part B", "The last ready one | with a pipe.", 25),
    ]


def _executed_code(source: str, text: str, count: int):
    cell = new_code_cell(source, execution_count=count)
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    return cell


SOLUTION_CELLS = [
    ("markdown", "# Exercises\n\nWrite `square`.", {}),
    ("code", "import numpy as np\nfrom mychecks import check_square", {}),
    ("code", 'def square(x):\n    """Return x squared."""\n    ### BEGIN SOLUTION\n    y = x * x\n    return y\n'
             '    ### END SOLUTION', {"tags": ["exercise"], "nbgrader": {"solution": True, "grade_id": "square"}}),
    ("code", "check_square(square)  # prints ✔", {}),
    ("markdown", "Why does it work?\n\n### BEGIN SOLUTION\nBecause x·x = x².\n### END SOLUTION", {}),
    ("code", "### BEGIN SOLUTION\nanswer = square(3)\n### END SOLUTION\nprint(answer)", {}),
    ("code", "plot_of(square)", {"tags": ["fails-in-exercise", "nbval-ignore-output"]}),
    ("code", "# check_square(square) is the check\nprint('no call here')", {"collapsed": True}),
]


def _solution_notebook():
    nb = new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
                   "language_info": {"name": "python", "version": "3.11.7"},
                   "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}}
    for i, (kind, source, metadata) in enumerate(SOLUTION_CELLS):
        if kind == "markdown":
            cell = new_markdown_cell(source, id=f"cell-{i}")
        else:
            cell = _executed_code(source, f"output {i}\n", i)
            cell.id = f"cell-{i}"
        cell.metadata = copy.deepcopy(metadata)
        nb.cells.append(cell)
    return nb


def _lesson_notebook(lesson: Lesson):
    nb = new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}}
    nb.cells = [new_markdown_cell(f"# {lesson.title}", id="title"),
                _executed_code("print(1 + 1)", "2\n", 1),
                new_markdown_cell("## Summary", id="summary")]
    nb.cells[1].id = "code-1"
    return nb


def _index_notebook():
    nb = new_notebook()
    nb.cells = [new_markdown_cell("# Index", id="intro"),
                new_markdown_cell("old table", id="table"),
                _executed_code("print('env ok')", "env ok\n", 1)]
    nb.cells[1].metadata["tags"] = ["lesson-table"]
    nb.cells[2].id = "env"
    return nb


@pytest.fixture
def synthetic(tmp_path) -> Course:
    course = Course(tmp_path, _lessons(), INDEX)
    for folder in FOLDERS:
        (tmp_path / folder).mkdir()
    nbformat.write(_index_notebook(), tmp_path / INDEX.notebook)
    for lesson in course.lessons:
        if lesson.ready or lesson.number == 3:          # a not-ready lesson being written
            nbformat.write(_lesson_notebook(lesson), tmp_path / lesson.notebook)
        if lesson.has_exercises and lesson.ready:
            nbformat.write(_solution_notebook(), tmp_path / lesson.solution)
    (tmp_path / "README.md").write_text("# Course\n\n## Lessons\n\n<!-- lessons:start -->\nold\n<!-- lessons:end -->\n\nEnd.\n")
    return course


def _read(course: Course, relpath: str):
    return nbformat.read(course.path(relpath), as_version=4)


def _navs(nb) -> list[tuple[int, str]]:
    return [(i, cell.source) for i, cell in enumerate(nb.cells) if "nav" in cell.metadata.get("tags", [])]


def _run(course: Course, **kw) -> tuple[int, str]:
    out = io.StringIO()
    status = build.build(course, out=out, **kw)
    return status, out.getvalue()


def _snapshot(course: Course) -> dict[str, bytes]:
    return {p.relative_to(course.root).as_posix(): p.read_bytes()
            for p in sorted(course.root.rglob("*")) if p.is_file()}


def test_build_generates_everything_and_is_idempotent(synthetic):
    status, out = _run(synthetic, check=True)
    assert status == 1 and "stale" in out and "make course" in out
    status, out = _run(synthetic)
    assert status == 0, out
    first = _snapshot(synthetic)
    assert {"exercises/01_first_exercises.ipynb", "exercises/02_second_exercises.ipynb",
            "exercises/05_fifth_exercises.ipynb"} <= set(first)
    assert "exercises/04_fourth_exercises.ipynb" not in first and "exercises/03_third_exercises.ipynb" not in first
    assert _run(synthetic, check=True) == (0, "✔ course is up to date (4 ready lessons, 3 exercise notebooks)\n")
    status, out = _run(synthetic)
    assert status == 0 and "updated" not in out
    assert _snapshot(synthetic) == first, "a second build changed files"


def test_check_reports_stale_files_without_writing(synthetic):
    _run(synthetic)
    exercise = synthetic.path("exercises/02_second_exercises.ipynb")
    exercise.write_text(exercise.read_text().replace("YOUR CODE HERE", "my answer"))
    nb = _read(synthetic, "notebooks/01_first.ipynb")
    nb.cells[0].source = "stale navigation"
    nbformat.write(nb, synthetic.path("notebooks/01_first.ipynb"))
    before = _snapshot(synthetic)
    status, out = _run(synthetic, check=True)
    assert status == 1
    assert "exercises/02_second_exercises.ipynb" in out and "notebooks/01_first.ipynb" in out
    assert "README.md" not in out and "make course" in out
    assert _snapshot(synthetic) == before


def test_nav_cells_top_and_bottom_with_the_right_links(synthetic):
    _run(synthetic)
    nb = _read(synthetic, "notebooks/02_second.ipynb")
    navs = _navs(nb)
    assert [i for i, _ in navs] == [0, len(nb.cells) - 1]
    top, bottom = navs[0][1], navs[1][1]
    assert "[← 01 · First](01_first.ipynb)" in top
    assert "[↑ Course index](00_index.ipynb)" in top
    assert "[04 · Fourth →](04_fourth.ipynb)" in top          # 03 is not ready: skipped
    assert "third" not in top + bottom
    assert "(../exercises/02_second_exercises.ipynb)" in bottom and "(../solutions/02_second_solutions.ipynb)" in bottom
    assert "[04 · Fourth →](04_fourth.ipynb)" in bottom

    first = _navs(_read(synthetic, "notebooks/01_first.ipynb"))[0][1]
    assert "←" not in first and "[02 · Second →](02_second.ipynb)" in first
    last = _navs(_read(synthetic, "notebooks/05_fifth.ipynb"))[0][1]
    assert "→" not in last and "[← 04 · Fourth](04_fourth.ipynb)" in last
    no_ex = _navs(_read(synthetic, "notebooks/04_fourth.ipynb"))[1][1]
    assert "exercises" not in no_ex

    sol_top, sol_bottom = (s for _, s in _navs(_read(synthetic, "solutions/02_second_solutions.ipynb")))
    assert "(../notebooks/02_second.ipynb)" in sol_top and "(../exercises/02_second_exercises.ipynb)" in sol_top
    assert "(01_first_solutions.ipynb)" in sol_top and "(05_fifth_solutions.ipynb)" in sol_top  # 04 has none
    assert "(../notebooks/00_index.ipynb)" in sol_bottom
    ex_top = _navs(_read(synthetic, "exercises/02_second_exercises.ipynb"))[0][1]
    assert "(../notebooks/02_second.ipynb)" in ex_top and "(../solutions/02_second_solutions.ipynb)" in ex_top
    assert "(01_first_exercises.ipynb)" in ex_top and "(05_fifth_exercises.ipynb)" in ex_top

    index_top = _navs(_read(synthetic, INDEX.notebook))[0][1]
    assert "(01_first.ipynb)" in index_top
    assert not _navs(_read(synthetic, "notebooks/03_third.ipynb")), "a lesson that is not ready is left alone"


def test_every_generated_link_resolves(synthetic):
    _run(synthetic)
    for doc in [synthetic.path("README.md")] + sorted(synthetic.root.glob("*/*.ipynb")):
        for text in _markdown_of(doc):
            for link in _links(text):
                assert (doc.parent / link).exists(), f"{doc.name}: {link}"


def test_nav_cells_are_updated_not_duplicated_and_outputs_untouched(synthetic):
    _run(synthetic)
    relpath = "notebooks/02_second.ipynb"
    nb = _read(synthetic, relpath)
    # an author pasted a nav cell in the middle, and the previous lesson changes its title
    nb.cells.insert(2, copy.deepcopy(nb.cells[0]))
    nb.cells[2].id = "pasted-nav"
    nbformat.write(nb, synthetic.path(relpath))
    renamed = Course(synthetic.root, [lesson if lesson.number != 1 else
                                      Lesson(1, "first", "First, renamed", "Part A", "The first one.", 30)
                                      for lesson in synthetic.lessons], INDEX)
    status, out = _run(renamed)
    assert status == 0 and relpath in out
    after = _read(renamed, relpath)
    navs = _navs(after)
    assert len(navs) == 2 and "01 · First, renamed" in navs[0][1]
    content = [c for c in after.cells if "nav" not in c.metadata.get("tags", [])]
    original = [c for c in _lesson_notebook(synthetic.lessons[1]).cells]
    assert [(c.cell_type, c.source, c.get("outputs"), c.get("execution_count")) for c in content] == \
        [(c.cell_type, c.source, c.get("outputs"), c.get("execution_count")) for c in original]
    assert [c.id for c in content] == ["title", "code-1", "summary"]


def test_only_nav_cells_change_in_a_lesson(synthetic):
    """Updating navigation leaves every other byte of the notebook's JSON as it was."""
    _run(synthetic)
    relpath = "notebooks/01_first.ipynb"
    before = json.loads(synthetic.path(relpath).read_text())
    renamed = Course(synthetic.root, _lessons(title_of_2="Second, renamed"), INDEX)
    _run(renamed)
    after = json.loads(synthetic.path(relpath).read_text())
    assert after["metadata"] == before["metadata"]
    assert after["cells"][1:-1] == before["cells"][1:-1]
    assert after["cells"][0] != before["cells"][0]


def test_exercise_generation_rules(synthetic):
    _run(synthetic)
    solution = _read(synthetic, "solutions/01_first_solutions.ipynb")
    exercise = _read(synthetic, "exercises/01_first_exercises.ipynb")
    raw = json.loads(synthetic.path("exercises/01_first_exercises.ipynb").read_text())
    assert raw["nbformat_minor"] == solution.nbformat_minor
    assert "widgets" not in exercise.metadata and "version" not in exercise.metadata.language_info
    assert exercise.metadata.kernelspec == solution.metadata.kernelspec
    body = [c for c in exercise.cells if "nav" not in c.metadata.get("tags", [])]
    assert [c.id for c in body] == [f"cell-{i}" for i in range(len(SOLUTION_CELLS))]
    by_id = {c.id: c for c in body}
    tags = {c.id: c.metadata.get("tags", []) for c in body}

    assert by_id["cell-2"].source == ('def square(x):\n    """Return x squared."""\n'
                                      "    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert by_id["cell-2"].metadata["nbgrader"] == {"solution": True, "grade_id": "square"}
    assert tags["cell-2"] == ["exercise", "raises-exception"]
    assert tags["cell-3"] == ["raises-exception"]                      # calls check_square(
    assert by_id["cell-4"].source == "Why does it work?\n\nYOUR ANSWER HERE"
    assert tags["cell-4"] == []                                        # markdown never raises
    assert by_id["cell-5"].source == "# YOUR CODE HERE\nraise NotImplementedError()\nprint(answer)"
    assert tags["cell-5"] == ["raises-exception"]
    assert tags["cell-6"] == ["nbval-ignore-output", "raises-exception"]   # fails-in-exercise dropped
    assert tags["cell-7"] == [] and by_id["cell-7"].metadata["collapsed"] is True  # a comment is no call
    assert tags["cell-1"] == []
    for cell in body:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert "SOLUTION" not in cell.source
    # the solution keeps its markers and outputs
    assert sum("### BEGIN SOLUTION" in c.source for c in solution.cells) == 3
    assert all(c.outputs for c in solution.cells if c.cell_type == "code")


def test_index_table_and_readme(synthetic):
    _run(synthetic)
    index = _read(synthetic, INDEX.notebook)
    table = next(c.source for c in index.cells if "lesson-table" in c.metadata.get("tags", []))
    assert index.cells[-2].outputs[0].text == "env ok\n", "the index's outputs are kept"
    assert "### Part A" in table and "### Part B" in table
    assert "| 01 | [First](01_first.ipynb) |" in table
    assert "[exercises](../exercises/01_first_exercises.ipynb) · [solutions](../solutions/01_first_solutions.ipynb)" in table
    assert "| 03 | Third *(coming soon)* |" in table and "03_third" not in table
    assert "| 04 | [Fourth](04_fourth.ipynb) |" in table and "04_fourth_exercises" not in table
    assert "with a pipe" in table and "one \\| with" in table
    assert "30\u00a0min" in table and "4 of 5 lessons are ready" in table
    readme = synthetic.path("README.md").read_text()
    assert readme.startswith("# Course\n\n## Lessons\n\n<!-- lessons:start -->\n### Part A")
    assert readme.endswith("<!-- lessons:end -->\n\nEnd.\n") and "old" not in readme
    assert "| 01 | [First](notebooks/01_first.ipynb) |" in readme
    assert "(exercises/01_first_exercises.ipynb)" in readme


def test_problems_are_reported(synthetic):
    synthetic.path("notebooks/05_fifth.ipynb").unlink()
    nbformat.write(_lesson_notebook(synthetic.lessons[0]), synthetic.path("notebooks/99_stray.ipynb"))
    nbformat.write(_lesson_notebook(synthetic.lessons[0]), synthetic.path("solutions/04_fourth_solutions.ipynb"))
    nbformat.write(_lesson_notebook(synthetic.lessons[0]), synthetic.path("exercises/03_third_exercises.ipynb"))
    status, out = _run(synthetic, check=True)
    assert status == 1
    assert "notebooks/05_fifth.ipynb is missing" in out
    assert "notebooks/99_stray.ipynb is not in the lesson list" in out
    assert "solutions/04_fourth_solutions.ipynb is not in the lesson list" in out
    assert "exercises/03_third_exercises.ipynb (should not exist)" in out
    status, out = _run(synthetic)
    assert status == 1 and "removed exercises/03_third_exercises.ipynb" in out
    assert not synthetic.path("exercises/03_third_exercises.ipynb").exists()
    assert synthetic.path("notebooks/99_stray.ipynb").exists(), "hand-written files are never deleted"


def test_solution_without_regions_is_a_problem(synthetic):
    nb = _solution_notebook()
    nb.cells = [c for c in nb.cells if "SOLUTION" not in c.source]
    nbformat.write(nb, synthetic.path("solutions/02_second_solutions.ipynb"))
    status, out = _run(synthetic)
    assert status == 1 and "02_second_solutions.ipynb has no `### BEGIN SOLUTION`" in out


def test_zero_ready_lessons(tmp_path):
    lessons = [Lesson(1, "a", "A", "Part", "Soon.", 10, ready=False)]
    course = Course(tmp_path, lessons, INDEX)
    for folder in FOLDERS:
        (tmp_path / folder).mkdir()
    nbformat.write(_index_notebook(), tmp_path / INDEX.notebook)
    (tmp_path / "README.md").write_text("<!-- lessons:start --><!-- lessons:end -->\n")
    assert _run(course)[0] == 0
    assert _run(course, check=True)[0] == 0
    index = _read(course, INDEX.notebook)
    assert "coming soon" in index.cells[0].source and "](" not in index.cells[0].source


def test_readme_without_markers_is_a_problem(synthetic):
    synthetic.path("README.md").write_text("# no markers\n")
    status, out = _run(synthetic)
    assert status == 1 and "<!-- lessons:start -->" in out


# ----------------------------------------------------------------------------------------------
# The rules, one by one
# ----------------------------------------------------------------------------------------------

STUB = build.CODE_STUB


def test_clear_solutions_keeps_indentation_and_everything_outside():
    src = "a = 1\n\tdef f():\n\t\t### BEGIN SOLUTION  \n\t\treturn 2\n\t\t### END SOLUTION\nb = 2"
    assert clear_solutions(src, STUB, "x") == (
        "a = 1\n\tdef f():\n\t\t# YOUR CODE HERE\n\t\traise NotImplementedError()\nb = 2", True)
    assert clear_solutions("no markers", STUB, "x") == ("no markers", False)
    two = "### BEGIN SOLUTION\na\n### END SOLUTION\nmiddle\n  ### BEGIN SOLUTION\n  b\n  ### END SOLUTION"
    assert clear_solutions(two, STUB, "x")[0] == (
        "# YOUR CODE HERE\nraise NotImplementedError()\nmiddle\n  # YOUR CODE HERE\n  raise NotImplementedError()")


@pytest.mark.parametrize("src, message", [
    ("### BEGIN SOLUTION\nx = 1", "without `### END SOLUTION`"),
    ("x = 1\n### END SOLUTION", "without `### BEGIN SOLUTION`"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
    ("x = 1  ### BEGIN SOLUTION\ny\n### END SOLUTION", "line of its own"),
    ("# BEGIN SOLUTION\ny\n# END SOLUTION", "line of its own"),
    ("### begin solution\ny", "line of its own"),
])
def test_broken_markers_are_errors_never_leaks(src, message):
    with pytest.raises(BuildError, match=re.escape(message)):
        clear_solutions(src, STUB, "solutions/x.ipynb, cell 3")


@pytest.mark.parametrize("src, expected", [
    ("check_mse(mse)", True),
    ("x = 1\ncheck_adam (Adam)", True),
    ("%matplotlib inline\ncheck_mse(mse)", True),
    ("from lossopt.checks import check_mse, check_mae", False),
    ("# check_mse(mse)", False),
    ("print('check_mse(mse)')", False),
    ("def check_mine(f):\n    pass", False),
    ("lossopt.checks.check_mse(mse)", True),
    ("recheck_mse(mse)", False),
])
def test_calls_check(src, expected):
    assert calls_check(src) is expected


def test_execute_refuses_exercises_and_unknown_paths(capsys):
    assert build.main(["execute", str(ROOT / "exercises")]) == 2
    assert "exercises/ is generated" in capsys.readouterr().err
    assert build.main(["execute", str(ROOT / "exercises" / "01_mean_squared_error_exercises.ipynb")]) == 2
    assert build.main(["execute", "no/such/notebook.ipynb"]) == 2


def test_execute_paths():
    default = build.resolve_execute_paths(COURSE, [])
    assert default[0] == INDEX.notebook
    assert all(p.startswith(("notebooks/", "solutions/")) for p in default)
    assert build.resolve_execute_paths(COURSE, [str(ROOT / "notebooks")]) == \
        [p for p in default if p.startswith("notebooks/")]
    assert build.resolve_execute_paths(COURSE, [str(ROOT / INDEX.notebook)]) == [INDEX.notebook]


def test_execute_stores_outputs_keeps_nav_and_reports_a_failing_cell(synthetic, capsys):
    _run(synthetic)
    good, bad = "notebooks/01_first.ipynb", "notebooks/02_second.ipynb"
    nb = _read(synthetic, good)
    nb.cells[2].source = "print(40 + 2)"
    nb.cells.insert(3, new_code_cell("1 / 0", id="expected-error"))
    nb.cells[3].metadata["tags"] = ["raises-exception"]
    nbformat.write(nb, synthetic.path(good))
    nb = _read(synthetic, bad)
    nb.cells[2].source = "x = 1\nundefined_name + x"
    nbformat.write(nb, synthetic.path(bad))
    bad_before = synthetic.path(bad).read_bytes()

    status = build.execute(synthetic, [str(synthetic.path(good)), str(synthetic.path(bad))], timeout=60)
    out, err = capsys.readouterr()
    assert status == 1
    assert re.search(r"✔ notebooks/01_first\.ipynb executed in \d+\.\d s", out)
    assert "✘ notebooks/02_second.ipynb: cell 2 (id code-1) failed:" in err
    assert "| undefined_name + x" in err and "NameError: name 'undefined_name' is not defined" in err
    assert "1 of 2 notebooks failed" in err
    assert synthetic.path(bad).read_bytes() == bad_before, "a failed notebook is left as it was"

    executed = _read(synthetic, good)
    assert [c.outputs for c in executed.cells if c.get("id") == "code-1"] == [
        [{"output_type": "stream", "name": "stdout", "text": "42\n"}]]
    assert executed.cells[3].outputs[0].ename == "ZeroDivisionError"
    assert len(_navs(executed)) == 2 and all("execution" not in c.metadata for c in executed.cells)
    assert _run(synthetic, check=True)[0] == 0, "executing does not make generated files stale"
