"""The set-up files agree with each other: pyproject.toml and environment.yml list the same
packages and versions, Binder's postBuild installs the course, and the two commands a learner
needs (`make lab`, `make test`) exist and are documented."""
from __future__ import annotations

import os
import re
import sys

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from lossopt.course import INDEX, ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

# conda-forge name -> PyPI name, where they differ (none today)
CONDA_TO_PYPI: dict[str, str] = {}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _conda_dependencies() -> list[str]:
    """The `dependencies:` list of environment.yml (plain strings; a `pip:` sub-list is not allowed)."""
    yaml = pytest.importorskip("yaml")
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    nested = [d for d in deps if not isinstance(d, str)]
    assert not nested, f"environment.yml: install the course in postBuild, not in a pip section: {nested}"
    return deps


def _as_specs(requirements: list[str], *, conda: bool) -> dict[str, SpecifierSet]:
    specs = {}
    for text in requirements:
        if conda:
            name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", text).groups()
            name = CONDA_TO_PYPI.get(name, name)
            requirement = Requirement(name + spec.replace(" ", ""))
        else:
            requirement = Requirement(text)
        assert not requirement.marker and not requirement.extras, text
        specs[canonicalize_name(requirement.name)] = requirement.specifier
    return specs


def test_pyproject_and_environment_yml_list_the_same_packages_and_versions():
    pypi = _as_specs(_pyproject()["project"]["dependencies"], conda=False)
    conda = _as_specs(_conda_dependencies(), conda=True)
    conda_python = conda.pop("python", None)
    conda.pop("pip", None)
    assert set(conda) == set(pypi), (f"only in environment.yml: {sorted(set(conda) - set(pypi))}; "
                                     f"only in pyproject.toml: {sorted(set(pypi) - set(conda))}")
    differ = {name: (str(pypi[name]), str(conda[name])) for name in pypi if pypi[name] != conda[name]}
    assert not differ, f"version ranges differ (pyproject, environment.yml): {differ}"
    assert conda_python == SpecifierSet(_pyproject()["project"]["requires-python"]), \
        "environment.yml's python and pyproject's requires-python differ"


def test_every_dependency_has_a_version_range():
    for requirement in map(Requirement, _pyproject()["project"]["dependencies"]):
        operators = {spec.operator for spec in requirement.specifier}
        assert operators & {">=", "~=", "=="} and operators & {"<", "~=", "=="}, \
            f"{requirement}: give a lower and an upper bound (an unpinned dependency breaks installs later)"


def test_postbuild_installs_the_course_and_stops_on_errors():
    path = ROOT / "postBuild"
    text = path.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert text.startswith("#!"), "postBuild needs a shebang line"
    assert any(re.fullmatch(r"set -e\w*( -o pipefail)?|set -euo pipefail", line) for line in lines), \
        "postBuild must start with `set -e` (or `set -euo pipefail`) so a failed install fails the build"
    assert any(re.fullmatch(r"(python -m )?pip install --no-deps \.", line) for line in lines), \
        "postBuild must install the course with `pip install --no-deps .`"
    assert os.access(path, os.X_OK), "postBuild must be executable"


def test_no_binder_folder():
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), \
        "a binder/ folder makes Binder ignore the root environment.yml and postBuild"


def _makefile() -> str:
    return (ROOT / "Makefile").read_text(encoding="utf-8")


def _target(name: str) -> str:
    """The recipe of a Makefile target."""
    match = re.search(rf"^(?:[\w-]+ )*{name}(?: [\w-]+)*:.*\n((?:\t.*\n?)*)", _makefile(), re.MULTILINE)
    assert match, f"the Makefile has no `{name}` target"
    return match.group(1)


def test_makefile_has_the_targets_the_readme_promises():
    assert "jupyter lab" in _target("lab") and "$(ARGS)" in _target("lab")
    # Serve the whole course folder and open the index in it: `jupyter lab notebooks/x.ipynb`
    # would serve notebooks/ only, and the index's links to ../exercises would not resolve.
    assert 'root_dir="$(CURDIR)"' in _target("lab") and "default_url=/lab/tree/$(INDEX)" in _target("lab")
    assert "pytest" in _target("test")
    assert "lossopt.build" in _target("course")
    assert "lossopt.build execute" in _target("execute")
    assert _target("bench")
    assert re.search(rf"^INDEX\s*:=\s*{re.escape(INDEX.notebook)}\s*$", _makefile(), re.MULTILINE), \
        "`make lab` must open the course index named in lossopt/course.py"


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make lab" in readme and "make test" in readme
    assert 'make lab ARGS="--no-browser --port=8899"' in readme
    assert readme.index("make lab") < readme.index("<!-- lessons:start -->")
    assert (ROOT / "LICENSE").is_file() and "MIT" in (ROOT / "LICENSE").read_text()


def test_ci_runs_make_test():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "make test" in lines
    assert any(line.startswith("set -e") for line in lines)
