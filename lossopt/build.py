"""Generate the course's derived files from the one lesson list, and execute notebooks.

    python -m lossopt.build                    regenerate everything (``make course``)
    python -m lossopt.build --check            list stale files and exit 1; writes nothing
    python -m lossopt.build execute [PATH ...] execute notebooks in place (``make execute``)

Everything below is generated from :data:`lossopt.course.LESSONS` (and ``INDEX``);
only lessons with ``ready=True`` take part:

* a markdown cell tagged ``nav`` at the top and at the bottom of the index, of every
  lesson notebook, solution notebook and exercise notebook (previous · index · next);
* the cell tagged ``lesson-table`` in ``notebooks/00_index.ipynb`` and the table
  between ``<!-- lessons:start -->`` and ``<!-- lessons:end -->`` in ``README.md``;
* ``exercises/NN_slug_exercises.ipynb`` from ``solutions/NN_slug_solutions.ipynb``.

Rules for exercises (see :func:`make_exercise`):

* each region from a line ``### BEGIN SOLUTION`` to a line ``### END SOLUTION`` (any
  indentation, nothing else on those lines) becomes ``# YOUR CODE HERE`` and
  ``raise NotImplementedError()`` at the marker's indentation in code cells, and
  ``YOUR ANSWER HERE`` in markdown cells;
* outputs and execution counts are cleared;
* a code cell is tagged ``raises-exception`` when it contained a solution region, when it
  calls a ``check_...(`` function, or when the author tagged it ``fails-in-exercise``;
* the solution-only tag ``fails-in-exercise`` is dropped; other tags and metadata stay;
* cell ids are the solution's cell ids, so the output is byte-for-byte deterministic.

Updating a lesson or solution notebook only ever replaces its ``nav`` cells (and, in the
index, the ``lesson-table`` cell): outputs of executed notebooks are left alone.
"""
from __future__ import annotations

import argparse
import copy
import io
import posixpath
import re
import sys
import time
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import course as _course
from .course import Lesson

NAV_TAG = "nav"
TABLE_TAG = "lesson-table"
RAISES_TAG = "raises-exception"
FAILS_IN_EXERCISE_TAG = "fails-in-exercise"
SOLUTION_ONLY_TAGS = frozenset({FAILS_IN_EXERCISE_TAG})

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)
_BEGIN_RE = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
_END_RE = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
_ANY_MARKER_RE = re.compile(r"(BEGIN|END)\s+SOLUTION", re.IGNORECASE)

README_START = "<!-- lessons:start -->"
README_END = "<!-- lessons:end -->"
NAV_IDS = ("nav-top", "nav-bottom")
FIX = "run `make course` (python -m lossopt.build) to regenerate them"


class BuildError(Exception):
    """A problem the generator cannot fix by itself (a missing file, a broken marker...)."""


# ----------------------------------------------------------------------------------------------
# The course: the lesson list and where it lives
# ----------------------------------------------------------------------------------------------

@dataclass
class Course:
    root: Path
    lessons: list[Lesson]
    index: Lesson

    @classmethod
    def default(cls) -> "Course":
        return cls(_course.ROOT, list(_course.LESSONS), _course.INDEX)

    @property
    def ready(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.ready]

    @property
    def with_exercises(self) -> list[Lesson]:
        return [lesson for lesson in self.ready if lesson.has_exercises]

    def path(self, relative: str) -> Path:
        return self.root / relative

    def expected_files(self) -> dict[str, set[str]]:
        """Which notebooks may exist in notebooks/, solutions/ and exercises/ (repository paths)."""
        return {
            "notebooks": {self.index.notebook} | {lesson.notebook for lesson in self.lessons},
            "solutions": {lesson.solution for lesson in self.lessons if lesson.has_exercises},
            "exercises": {lesson.exercise for lesson in self.with_exercises},
        }


def label(lesson: Lesson) -> str:
    """How a lesson is named in links: ``02 · Cross-entropy``."""
    return f"{lesson.number:02d} · {lesson.title}"


def rel(from_file: str, to_file: str) -> str:
    """The link from one repository file to another, relative to the first file's folder."""
    return posixpath.relpath(to_file, posixpath.dirname(from_file) or ".")


def _neighbours(seq: list[Lesson], lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    i = seq.index(lesson)
    return (seq[i - 1] if i > 0 else None), (seq[i + 1] if i + 1 < len(seq) else None)


def _nav_line(here: str, course: Course, prev: tuple[str, str] | None, nxt: tuple[str, str] | None) -> str:
    """``[← prev](..) · [↑ Course index](..) · [next →](..)``; prev/nxt are (text, path)."""
    parts = []
    if prev:
        parts.append(f"[← {prev[0]}]({rel(here, prev[1])})")
    parts.append(f"[↑ Course index]({rel(here, course.index.notebook)})")
    if nxt:
        parts.append(f"[{nxt[0]} →]({rel(here, nxt[1])})")
    return " · ".join(parts)


# ----------------------------------------------------------------------------------------------
# Navigation cells
# ----------------------------------------------------------------------------------------------

def index_nav(course: Course) -> tuple[str, str]:
    here = course.index.notebook
    ready = course.ready
    if ready:
        first = ready[0]
        line = f"**Course index** · [start with {label(first)} →]({rel(here, first.notebook)})"
    else:
        line = "**Course index** · the first lesson is coming soon"
    return line, line


def lesson_nav(course: Course, lesson: Lesson) -> tuple[str, str]:
    here = lesson.notebook
    prev, nxt = _neighbours(course.ready, lesson)
    line = _nav_line(here, course,
                     prev and (label(prev), prev.notebook), nxt and (label(nxt), nxt.notebook))
    bottom = line
    if lesson.has_exercises:
        practice = (f"**Practise:** [{label(lesson)}: exercises]({rel(here, lesson.exercise)})"
                    f" · [solutions]({rel(here, lesson.solution)})")
        bottom = practice + "\n\n" + line
    return line, bottom


def solution_nav(course: Course, lesson: Lesson) -> tuple[str, str]:
    here = lesson.solution
    prev, nxt = _neighbours(course.with_exercises, lesson)
    line = _nav_line(here, course, prev and (f"{label(prev)}: solutions", prev.solution),
                     nxt and (f"{label(nxt)}: solutions", nxt.solution))
    about = (f"**Solutions** to the exercises of lesson [{label(lesson)}]({rel(here, lesson.notebook)}). "
             f"Try the [exercises]({rel(here, lesson.exercise)}) first: they are this notebook "
             f"with the answers taken out.")
    back = (f"Back to the lesson: [{label(lesson)}]({rel(here, lesson.notebook)})"
            f" · the [exercises]({rel(here, lesson.exercise)})")
    return line + "\n\n" + about, back + "\n\n" + line


def exercise_nav(course: Course, lesson: Lesson) -> tuple[str, str]:
    here = lesson.exercise
    prev, nxt = _neighbours(course.with_exercises, lesson)
    line = _nav_line(here, course, prev and (f"{label(prev)}: exercises", prev.exercise),
                     nxt and (f"{label(nxt)}: exercises", nxt.exercise))
    about = (f"**Exercises** for lesson [{label(lesson)}]({rel(here, lesson.notebook)}). "
             "Run the cells from the top. Where you see `# YOUR CODE HERE`, replace "
             "`raise NotImplementedError()` with your code, run that cell, then run the check "
             "below it: it prints a line starting with ✔ when your answer is right, or says which "
             "input went wrong, what was expected, what came back, and a hint. "
             f"Stuck? The [solutions]({rel(here, lesson.solution)}) are there too.")
    back = (f"Back to the lesson: [{label(lesson)}]({rel(here, lesson.notebook)})"
            f" · the [solutions]({rel(here, lesson.solution)})")
    return line + "\n\n" + about, back + "\n\n" + line


def is_nav(cell) -> bool:
    return NAV_TAG in cell.get("metadata", {}).get("tags", [])


def _has_ids(nb) -> bool:
    return (nb.nbformat, nb.nbformat_minor) >= (4, 5)


def _markdown_cell(nb, source: str, cell_id: str, tags: list[str]):
    cell = nbformat.NotebookNode(cell_type="markdown", metadata=nbformat.NotebookNode(tags=list(tags)),
                                 source=source)
    if _has_ids(nb):
        cell["id"] = cell_id
    return cell


def set_nav(nb, top: str, bottom: str) -> None:
    """Replace every ``nav`` cell by one at the top and one at the bottom (in place)."""
    cells = [cell for cell in nb.cells if not is_nav(cell)]
    if _has_ids(nb):
        taken = {cell.get("id") for cell in cells}
        clash = taken & set(NAV_IDS)
        if clash:
            raise BuildError(f"a cell that is not tagged `nav` has the id reserved for navigation: {sorted(clash)}")
    nb.cells = ([_markdown_cell(nb, top, NAV_IDS[0], [NAV_TAG])] + cells
                + [_markdown_cell(nb, bottom, NAV_IDS[1], [NAV_TAG])])


# ----------------------------------------------------------------------------------------------
# The lesson table (index notebook and README)
# ----------------------------------------------------------------------------------------------

def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest:02d} min" if rest else "")


def lesson_table(course: Course, here: str, heading: str = "###") -> str:
    """The lessons grouped by part, with links relative to the file ``here``."""
    parts: dict[str, list[Lesson]] = {}
    for lesson in course.lessons:
        parts.setdefault(lesson.part, []).append(lesson)
    out = []
    for part, lessons in parts.items():
        total = sum(lesson.minutes for lesson in lessons)
        out.append(f"{heading} {part}")
        out.append("")
        out.append(f"{len(lessons)} lessons, about {_duration(total)}.")
        out.append("")
        out.append("| # | Lesson | What you will learn | Time | Practice |")
        out.append("|---|---|---|---|---|")
        for lesson in lessons:
            if lesson.ready:
                title = f"[{lesson.title}]({rel(here, lesson.notebook)})"
                if lesson.has_exercises:
                    practice = (f"[exercises]({rel(here, lesson.exercise)}) · "
                                f"[solutions]({rel(here, lesson.solution)})")
                else:
                    practice = "–"
            else:
                title = f"{lesson.title} *(coming soon)*"
                practice = "–"
            summary = lesson.summary.replace("|", "\\|")
            out.append(f"| {lesson.number:02d} | {title} | {summary} | {lesson.minutes}\u00a0min | {practice} |")
        out.append("")
    ready, total = len(course.ready), len(course.lessons)
    minutes = sum(lesson.minutes for lesson in course.lessons)
    out.append(f"Times are for one learner working alone, lesson and exercises together; "
               f"the whole course takes about {_duration(minutes)}. "
               + (f"All {total} lessons are ready." if ready == total else
                  "The lessons are coming soon." if ready == 0 else
                  f"{ready} of {total} lessons {'is' if ready == 1 else 'are'} ready; the others are coming soon."))
    return "\n".join(out)


def index_table_cell_source(course: Course) -> str:
    return "## The lessons\n\n" + lesson_table(course, course.index.notebook)


def update_readme(text: str, course: Course) -> str:
    if text.count(README_START) != 1 or text.count(README_END) != 1 or \
            text.index(README_START) > text.index(README_END):
        raise BuildError(f"README.md must contain {README_START} and then {README_END}, once each")
    head, rest = text.split(README_START)
    _, tail = rest.split(README_END)
    return head + README_START + "\n" + lesson_table(course, "README.md") + "\n" + README_END + tail


# ----------------------------------------------------------------------------------------------
# Exercises from solutions
# ----------------------------------------------------------------------------------------------

def clear_solutions(source: str, stub: tuple[str, ...], where: str) -> tuple[str, bool]:
    """Replace every solution region of ``source`` by ``stub`` (indented like its marker).

    Returns the new source and whether anything was replaced. A line that mentions
    BEGIN/END SOLUTION in any other form is an error, so a mistyped marker can never
    leak an answer into the exercises.
    """
    out: list[str] = []
    inside = False
    replaced = False
    for number, line in enumerate(source.split("\n"), start=1):
        begin = _BEGIN_RE.match(line)
        if begin:
            if inside:
                raise BuildError(f"{where}, line {number}: `{BEGIN_SOLUTION}` inside another solution region")
            inside = replaced = True
            out.extend(begin.group("indent") + s for s in stub)
        elif _END_RE.match(line):
            if not inside:
                raise BuildError(f"{where}, line {number}: `{END_SOLUTION}` without `{BEGIN_SOLUTION}`")
            inside = False
        elif _ANY_MARKER_RE.search(line):
            raise BuildError(f"{where}, line {number}: a solution marker must be a line of its own, exactly "
                             f"`{BEGIN_SOLUTION}` or `{END_SOLUTION}` (any indentation): {line.strip()!r}")
        elif not inside:
            out.append(line)
    if inside:
        raise BuildError(f"{where}: `{BEGIN_SOLUTION}` without `{END_SOLUTION}`")
    return "\n".join(out), replaced


def calls_check(source: str) -> bool:
    """Does this code call a function whose name starts with ``check_``? (Comments and strings
    do not count, nor ``def check_...``.)"""
    lines = [line for line in source.split("\n") if not line.lstrip().startswith(("%", "!"))]
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline)
                  if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT,
                                    tokenize.INDENT, tokenize.DEDENT)]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return bool(re.search(r"(?<!def )\bcheck_\w+\s*\(", source))
    for before, name, after in zip([None] + tokens, tokens, tokens[1:]):
        if (name.type == tokenize.NAME and name.string.startswith("check_")
                and after.type == tokenize.OP and after.string == "("
                and not (before is not None and before.string == "def")):
            return True
    return False


def make_exercise(solution, course: Course, lesson: Lesson):
    """The learner's notebook for ``lesson``, built from its solution notebook (not modified)."""
    nb = copy.deepcopy(solution)
    nb.metadata.pop("widgets", None)
    if "language_info" in nb.metadata:
        nb.metadata.language_info.pop("version", None)   # differs between machines; not needed
    cells = []
    n_regions = 0
    for i, cell in enumerate(nb.cells):
        if is_nav(cell):
            continue
        where = f"{lesson.solution}, cell {i}" + (f" (id {cell.id})" if "id" in cell else "")
        tags = list(cell.metadata.get("tags", []))
        if cell.cell_type in ("code", "markdown"):
            stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
            cell.source, replaced = clear_solutions(cell.source, stub, where)
            n_regions += replaced
        else:
            replaced = False
        if cell.cell_type == "code":
            fails = replaced or calls_check(cell.source) or FAILS_IN_EXERCISE_TAG in tags
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
            if fails and RAISES_TAG not in tags:
                tags.append(RAISES_TAG)
        tags = [t for t in tags if t not in SOLUTION_ONLY_TAGS]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
        cells.append(cell)
    if not n_regions:
        raise BuildError(f"{lesson.solution} has no `{BEGIN_SOLUTION}` ... `{END_SOLUTION}` region: "
                         "nothing for the learner to do (or set has_exercises=False in lossopt/course.py)")
    nb.cells = cells
    set_nav(nb, *exercise_nav(course, lesson))
    return nb


# ----------------------------------------------------------------------------------------------
# Reading and writing notebooks deterministically
# ----------------------------------------------------------------------------------------------

def read_notebook(path: Path):
    return nbformat.reads(path.read_text(encoding="utf-8"), as_version=nbformat.NO_CONVERT)


def notebook_text(nb) -> str:
    """The exact file contents nbformat (and JupyterLab) write: sorted keys, indent 1."""
    text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"


# ----------------------------------------------------------------------------------------------
# The plan: every generated file, in memory
# ----------------------------------------------------------------------------------------------

@dataclass
class Plan:
    writes: dict[str, str] = field(default_factory=dict)   # repository path -> new contents
    deletes: list[str] = field(default_factory=list)       # generated files that should not exist
    problems: list[str] = field(default_factory=list)      # what the generator cannot fix

    @property
    def stale(self) -> list[str]:
        return sorted(self.writes) + sorted(self.deletes)


def _update_in_place(plan: Plan, course: Course, relpath: str, edit) -> object | None:
    """Apply ``edit(nb)`` to a notebook; plan a write only if its content changes."""
    path = course.path(relpath)
    if not path.exists():
        what = "the course index" if relpath == course.index.notebook else "a ready lesson in lossopt/course.py"
        plan.problems.append(f"{relpath} is missing ({what})")
        return None
    try:
        nb = read_notebook(path)
    except Exception as exc:  # unreadable JSON, not a notebook
        plan.problems.append(f"{relpath} cannot be read as a notebook: {exc}")
        return None
    before = copy.deepcopy(nb)
    try:
        edit(nb)
    except BuildError as exc:
        plan.problems.append(f"{relpath}: {exc}")
        return None
    if nb != before:
        plan.writes[relpath] = notebook_text(nb)
    return nb


def _set_index_table(course: Course):
    def edit(nb):
        cells = [cell for cell in nb.cells if TABLE_TAG in cell.get("metadata", {}).get("tags", [])]
        if len(cells) != 1 or cells[0].cell_type != "markdown":
            raise BuildError(f"needs exactly one markdown cell tagged `{TABLE_TAG}` (found {len(cells)})")
        cells[0].source = index_table_cell_source(course)
        set_nav(nb, *index_nav(course))
    return edit


def plan_course(course: Course) -> Plan:
    plan = Plan()
    _update_in_place(plan, course, course.index.notebook, _set_index_table(course))

    for lesson in course.ready:
        _update_in_place(plan, course, lesson.notebook, lambda nb, lesson=lesson: set_nav(nb, *lesson_nav(course, lesson)))

    for lesson in course.with_exercises:
        solution = _update_in_place(plan, course, lesson.solution,
                                    lambda nb, lesson=lesson: set_nav(nb, *solution_nav(course, lesson)))
        if solution is None:
            continue
        try:
            text = notebook_text(make_exercise(solution, course, lesson))
        except BuildError as exc:
            plan.problems.append(str(exc))
            continue
        target = course.path(lesson.exercise)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            plan.writes[lesson.exercise] = text

    readme = course.path("README.md")
    if readme.exists():
        old = readme.read_text(encoding="utf-8")
        try:
            new = update_readme(old, course)
        except BuildError as exc:
            plan.problems.append(str(exc))
        else:
            if new != old:
                plan.writes["README.md"] = new
    else:
        plan.problems.append("README.md is missing")

    expected = course.expected_files()
    for folder, allowed in expected.items():
        for path in sorted(course.path(folder).glob("*.ipynb")):
            relpath = f"{folder}/{path.name}"
            if relpath in allowed:
                continue
            if folder == "exercises":
                plan.deletes.append(relpath)     # generated: the generator removes it
            else:
                plan.problems.append(f"{relpath} is not in the lesson list (lossopt/course.py): "
                                     "add the lesson there, or rename or remove the file")
    return plan


def apply(plan: Plan, course: Course) -> None:
    for relpath, text in sorted(plan.writes.items()):
        path = course.path(relpath)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for relpath in plan.deletes:
        course.path(relpath).unlink()


# ----------------------------------------------------------------------------------------------
# Executing notebooks
# ----------------------------------------------------------------------------------------------

def _kernel_manager_class():
    """A kernel manager that starts this very Python (sys.executable), whatever kernelspecs exist."""
    import ipykernel.kernelspec
    import zmq
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class CurrentPythonKernelSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())

    class CurrentPythonKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("kernel_spec_manager", CurrentPythonKernelSpecs())
            if zmq.has("curve"):   # encrypt the local connection (and silence the kernel's warning)
                kwargs.setdefault("transport_encryption", "auto")
            super().__init__(**kwargs)

    return CurrentPythonKernelManager


def run_notebook(nb, cwd: Path, *, timeout: int = 120, allow_errors: bool = False):
    """Execute ``nb`` in place in a fresh kernel of this Python, with ``cwd`` as working directory.

    Cells tagged ``raises-exception`` may fail; any other error raises (unless ``allow_errors``).
    Timing and widget state are not recorded, so re-running changes nothing but outputs.
    """
    from nbclient import NotebookClient

    client = NotebookClient(nb, kernel_manager_class=_kernel_manager_class(), kernel_name="python3",
                            timeout=timeout, allow_errors=allow_errors, record_timing=False,
                            store_widget_state=False, resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def describe_failure(nb, relpath: str, exc: Exception) -> str:
    """Which cell failed, its first lines, and the error, in a few lines."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or RAISES_TAG in cell.metadata.get("tags", []):
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            err = errors[0]
            tb = _ANSI.sub("", "\n".join(err.get("traceback", []))).strip().split("\n")
            src = "\n".join("    | " + line for line in cell.source.split("\n")[:6])
            ident = f" (id {cell.id})" if "id" in cell else ""
            return (f"{relpath}: cell {i}{ident} failed:\n{src}\n"
                    + "\n".join("    " + line for line in tb[-12:]))
    return f"{relpath}: {type(exc).__name__}: {_ANSI.sub('', str(exc)).strip()[-2000:]}"


def default_execute_paths(course: Course) -> list[str]:
    paths = [course.index.notebook]
    for lesson in course.ready:
        paths.append(lesson.notebook)
        if lesson.has_exercises:
            paths.append(lesson.solution)
    return paths


def resolve_execute_paths(course: Course, args: list[str]) -> list[str]:
    """Files as given; a folder means the course's ready notebooks inside it."""
    if not args:
        return default_execute_paths(course)
    known = default_execute_paths(course)
    out: list[str] = []
    for arg in args:
        path = Path(arg).resolve()
        try:
            relpath = path.relative_to(course.root.resolve()).as_posix()
        except ValueError:
            raise BuildError(f"{arg} is not inside the course ({course.root})") from None
        if relpath == "exercises" or relpath.startswith("exercises/"):
            raise BuildError(f"{arg}: exercises/ is generated and has no outputs; do not execute it "
                             "(`make course` regenerates it; tests/test_exercises.py runs it)")
        if path.is_dir():
            prefix = "" if relpath == "." else relpath + "/"
            out.extend(p for p in known if p.startswith(prefix) and p not in out)
        elif path.suffix == ".ipynb" and path.exists():
            if relpath not in out:
                out.append(relpath)
        else:
            raise BuildError(f"{arg}: no such notebook")
    return out


def execute(course: Course, args: list[str], *, timeout: int = 120) -> int:
    try:
        paths = resolve_execute_paths(course, args)
    except BuildError as exc:
        print(f"✘ {exc}", file=sys.stderr)
        return 2
    failures = []
    for relpath in paths:
        path = course.path(relpath)
        nb = read_notebook(path)
        start = time.perf_counter()
        try:
            run_notebook(nb, path.parent, timeout=timeout)
        except Exception as exc:  # CellExecutionError, CellTimeoutError, DeadKernelError...
            failures.append(relpath)
            print(f"✘ {describe_failure(nb, relpath, exc)}\n  ({time.perf_counter() - start:.1f} s; "
                  "the notebook was not changed)", file=sys.stderr, flush=True)
            continue
        nb.metadata.pop("widgets", None)
        path.write_text(notebook_text(nb), encoding="utf-8")
        print(f"✔ {relpath} executed in {time.perf_counter() - start:.1f} s", flush=True)
    if failures:
        print(f"✘ {len(failures)} of {len(paths)} notebooks failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------

def build(course: Course, *, check: bool = False, out=None) -> int:
    out = out or sys.stdout
    plan = plan_course(course)
    status = 0
    if check:
        if plan.stale:
            print("✘ stale generated files:", file=out)
            for relpath in plan.writes:
                print(f"    {relpath}", file=out)
            for relpath in plan.deletes:
                print(f"    {relpath} (should not exist)", file=out)
            print(f"  {FIX}", file=out)
            status = 1
    else:
        apply(plan, course)
        for relpath in sorted(plan.writes):
            print(f"updated {relpath}", file=out)
        for relpath in plan.deletes:
            print(f"removed {relpath}", file=out)
    if plan.problems:
        print("✘ problems to fix by hand:", file=out)
        for problem in plan.problems:
            print(f"    {problem}", file=out)
        status = 1
    if status == 0:
        n = len(course.ready)
        print(f"✔ course is up to date ({n} ready lesson{'s' if n != 1 else ''}, "
              f"{len(course.with_exercises)} exercise notebook{'s' if len(course.with_exercises) != 1 else ''})",
              file=out)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lossopt.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate in memory; list stale files and exit 1 (writes nothing)")
    parser.add_argument("command", nargs="?", choices=["execute"],
                        help="execute notebooks in place (default: the index, ready lessons and solutions)")
    parser.add_argument("paths", nargs="*", help="notebooks or folders to execute")
    parser.add_argument("--timeout", type=int, default=120, help="seconds allowed per cell (execute)")
    args = parser.parse_args(argv)
    course = Course.default()
    if args.check and args.command:
        parser.error("--check is not for `execute`")
    if args.command == "execute":
        return execute(course, args.paths, timeout=args.timeout)
    if args.paths:
        parser.error("paths are only for `execute`")
    return build(course, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
