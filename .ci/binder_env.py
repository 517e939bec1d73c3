"""Prove the Binder/conda environment as far as this machine can (no container engine here).

Reads environment.yml, maps each conda-forge requirement to pip (same names, same
version ranges), builds a fresh virtual environment with exactly those, installs the
course the way postBuild does (``pip install --no-deps .``), and executes every ready
lesson and the index in it from a scratch copy (nothing in the work tree changes).

    python .ci/binder_env.py [--venv DIR]
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONDA_ONLY = {"python", "pip"}          # provided by the venv itself
CONDA_TO_PIP = {}                        # names are identical on conda-forge and PyPI for our packages


def requirements(env_file: Path) -> list[str]:
    """The `dependencies:` list of environment.yml as pip requirement strings."""
    reqs, in_deps = [], False
    for line in env_file.read_text().splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped:
            continue
        if re.match(r"^dependencies:\s*$", stripped):
            in_deps = True
            continue
        if in_deps and not stripped.startswith(" "):
            break
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.\-]+)\s*(.*)$", stripped)
        if in_deps and m:
            name, spec = m.group(1), m.group(2).replace(" ", "")
            if name in CONDA_ONLY:
                continue
            reqs.append(CONDA_TO_PIP.get(name, name) + spec)
    if not reqs:
        raise SystemExit(f"no dependencies found in {env_file}")
    return reqs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--venv", default=None)
    args = parser.parse_args()
    venv = Path(args.venv or tempfile.mkdtemp(prefix="lossopt-binder-env-"))
    reqs = requirements(ROOT / "environment.yml")
    print("environment.yml ->", " ".join(reqs))
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    py = venv / "bin" / "python"
    pip = [str(py), "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + reqs, check=True)
    build = tempfile.mkdtemp(prefix="lossopt-src-")
    shutil.copytree(ROOT, build, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".venv", ".git", "site", "*.egg-info", "__pycache__"))
    subprocess.run(pip + ["--no-deps", build], check=True)        # what postBuild does
    code = r'''
import sys, time, nbformat
from pathlib import Path
from nbclient import NotebookClient
from lossopt.course import INDEX, ready_lessons
root = Path(sys.argv[1])
failed = 0
for rel in [INDEX.notebook] + [l.notebook for l in ready_lessons()]:
    nb = nbformat.read(root / rel, as_version=4)
    t0 = time.time()
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str((root / rel).parent)}}).execute()
        print(f"  ok   {rel}  {time.time() - t0:5.1f} s")
    except Exception as exc:
        failed += 1
        print(f"  FAIL {rel}: {str(exc).strip().splitlines()[-1][:300]}")
sys.exit(1 if failed else 0)
'''
    # run from a directory without the source tree, so the installed package is used
    t0 = time.time()
    result = subprocess.run([str(py), "-c", code, build], cwd=tempfile.gettempdir())
    print(f"executed the lessons in the environment.yml environment in {time.time() - t0:.0f} s")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
