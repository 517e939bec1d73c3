"""The files that deliver the course agree with it: Binder's `start` file, the README's
Binder badge and conda route, and the instructor's guide (INSTRUCTORS.md), which must
name every ready lesson, quote the learner minutes of lossopt/course.py, and quote only
hints that the checks really print."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from urllib.parse import unquote

import pytest

from lossopt.course import INDEX, LESSONS, ROOT

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
BINDER_BADGE = re.compile(
    r"\[!\[[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]"
    r"\((?P<url>https://mybinder\.org/v2/gh/(?P<repo>[\w.-]+/[\w.-]+)/(?P<ref>[^?\s)]+)"
    r"\?urlpath=lab/tree/(?P<path>[^)\s&#]+))\)")


def _read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


# -- Binder's start file ----------------------------------------------------------------------------

def test_start_is_executable_and_ends_with_exec():
    path = ROOT / "start"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#!/bin/bash"), "start needs a `#!/bin/bash` line: repo2docker executes it"
    assert os.access(path, os.X_OK), "start must be executable (chmod +x start)"
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert lines[-1] == 'exec "$@"', 'repo2docker requires the last line of start to be exec "$@"'
    for name in THREAD_VARIABLES:
        assert f"export {name}=1" in lines, f"start must export {name}=1"


@pytest.mark.skipif(os.name != "posix", reason="start is a bash script")
def test_start_sets_one_thread_and_runs_the_command():
    """Run start as repo2docker does, with a command after it: the command runs, with one thread."""
    probe = "import json, os, sys; print(json.dumps({k: os.environ.get(k) for k in sys.argv[1:]}))"
    env = dict(os.environ, **{name: "8" for name in THREAD_VARIABLES})
    result = subprocess.run([str(ROOT / "start"), sys.executable, "-c", probe, *THREAD_VARIABLES],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {name: "1" for name in THREAD_VARIABLES}


# -- README: the Binder badge and the conda route ---------------------------------------------------

def test_readme_binder_badge_opens_the_course_index():
    readme = _read("README.md")
    match = BINDER_BADGE.search(readme)
    assert match, ("README.md needs a Binder badge: [![Binder](https://mybinder.org/badge_logo.svg)]"
                   f"(https://mybinder.org/v2/gh/<owner>/<name>/HEAD?urlpath=lab/tree/{INDEX.notebook})")
    assert unquote(match["path"]) == INDEX.notebook, \
        f"the badge opens {match['path']}, but the course index is {INDEX.notebook} (lossopt/course.py)"
    assert (ROOT / INDEX.notebook).is_file()
    assert match.start() < readme.index("## Two commands"), "the badge belongs near the top, before the commands"
    assert readme.index("make lab") < readme.index("conda env create"), "the two make commands stay first"


def test_readme_gives_the_conda_route():
    readme = _read("README.md")
    name = re.search(r"^name:\s*(\S+)\s*$", _read("environment.yml"), re.MULTILINE)[1]
    for command in ("conda env create -f environment.yml", f"conda activate {name}", "pip install --no-deps -e .",
                    f"jupyter lab --LabApp.default_url=/lab/tree/{INDEX.notebook}"):
        assert command in readme, f"README.md: the conda route needs `{command}`"


def test_readme_mentions_the_other_make_targets_and_the_guide():
    readme = _read("README.md")
    for text in ("make html", "make test-browser", "/usr/bin/chromium", "make bench", "(INSTRUCTORS.md)"):
        assert text in readme, f"README.md should mention {text}"


# -- INSTRUCTORS.md -----------------------------------------------------------------------------------

def _guide() -> str:
    return _read("INSTRUCTORS.md")


def test_guide_names_every_ready_lesson():
    lines = _guide().splitlines()
    missing = [f"{lesson.number:02d} · {lesson.title}" for lesson in LESSONS if lesson.ready
               and not any(f"{lesson.number:02d}" in line and lesson.title in line for line in lines)]
    assert not missing, f"INSTRUCTORS.md does not mention these ready lessons (number and title): {missing}"


def _table_rows(text: str, header_start: str) -> list[tuple[str, list[str]]]:
    """(heading, cells) for each body row of every markdown table whose header line starts with
    ``header_start``; heading is the last `#` heading above the table."""
    rows, inside, heading = [], False, ""
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.startswith(header_start):
            inside = True
            continue
        if inside and line.startswith("|"):
            if not set(line) <= set("|-: "):
                rows.append((heading, [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]))
        else:
            inside = False
    return rows


def _mistake_rows() -> list[list[str]]:
    """The rows of the classic-mistake tables, except those of lessons that are not ready yet
    (their checks may not exist yet; once a lesson is ready, its table must be right)."""
    not_ready = {f"{lesson.number:02d} · {lesson.title}" for lesson in LESSONS if not lesson.ready}
    return [cells for heading, cells in _table_rows(_guide(), "| Mistake | The check prints | What to say |")
            if heading not in not_ready]


def test_guide_timing_table_has_every_lesson_with_its_learner_minutes():
    rows = {row[0]: row for _, row in _table_rows(_guide(), "| # | Lesson | Learner minutes |")}
    for lesson in [INDEX] + LESSONS:
        key = f"{lesson.number:02d}"
        assert key in rows, f"INSTRUCTORS.md: the timing table has no row for lesson {key}"
        assert rows[key][1] == lesson.title, f"lesson {key} is called {lesson.title!r} in lossopt/course.py"
        assert rows[key][2] == str(lesson.minutes), \
            f"lesson {key}: the guide says {rows[key][2]} learner minutes, lossopt/course.py says {lesson.minutes}"


def _check_strings() -> list[str]:
    """Every string constant (and every literal piece of an f-string) in lossopt/checks/."""
    found = []
    for path in sorted((ROOT / "lossopt" / "checks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append(node.value)
    return found


def _code_spans(cell: str) -> list[str]:
    spans = re.findall(r"``\s?(.+?)\s?``|`([^`]+)`", cell)
    return [(a or b).replace("\\|", "|") for a, b in spans]


def test_guide_tables_have_the_columns_of_their_header():
    """A `|` inside a table cell must be written `\\|` (even in `code`), or the row falls apart."""
    for header in ("| # | Lesson | Learner minutes |", "| Mistake | The check prints | What to say |",
                   "| Time | Min | What |"):
        columns = None
        for line in _guide().splitlines():
            if line.startswith(header):
                columns = len(re.split(r"(?<!\\)\|", line.strip())) - 2
        assert columns, f"INSTRUCTORS.md has no table starting {header}"
        for heading, cells in _table_rows(_guide(), header):
            assert len(cells) == columns, f"INSTRUCTORS.md ({heading}): a row has {len(cells)} cells, not {columns}: {cells}"


def test_guide_quotes_only_hints_the_checks_print():
    """Each phrase in the column "The check prints" is part of a message of lossopt/checks."""
    rows = _mistake_rows()
    assert len(rows) >= 40, "INSTRUCTORS.md: the tables of classic mistakes are missing"
    strings = _check_strings()
    unknown = []
    for row in rows:
        phrases = _code_spans(row[1])
        assert phrases, f"INSTRUCTORS.md: quote the check's words in `backticks`: {row}"
        unknown += [p for p in phrases if not any(p in s for s in strings)]
    assert not unknown, "INSTRUCTORS.md quotes hints that no check prints:\n  " + "\n  ".join(unknown)


def test_guide_names_only_exercises_that_have_a_check():
    from lossopt import checks

    for row in _mistake_rows():
        named = re.match(r"^((?:`\w+`/?)+)[:,]", row[0])      # "`mse`: ..." or "`a`/`b`: ..."
        for name in re.findall(r"`(\w+)`", named[1]) if named else []:
            assert hasattr(checks, f"check_{name}"), f"INSTRUCTORS.md names an exercise `{name}` that has no check"


def test_guide_links_resolve_and_use_the_readme_binder_link():
    guide = _guide()
    text = re.sub(r"```.*?```|`[^`\n]*`", "", guide, flags=re.DOTALL)
    for link in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", link):
            continue
        assert (ROOT / unquote(link.partition("#")[0])).exists(), f"INSTRUCTORS.md: broken link {link}"
    badge = BINDER_BADGE.search(_read("README.md"))
    assert badge and badge["url"] in guide, "INSTRUCTORS.md should give the same Binder link as the README's badge"
    assert "urlpath=lab/tree/lossopt/" + INDEX.notebook in guide, "the nbgitpuller link should open the course index"
