"""Exercise checks: ``check_<exercise>(answer)`` for every exercise in the course.

A right answer prints one line starting with ✔. A wrong one raises
:class:`CheckFailed` (an ``AssertionError``) whose short message says which
input, what was expected, what came back, and a hint. In Jupyter the message is
shown without a traceback.

The checks for each lesson live in a module of this package named after the
lesson (``l01_mean_squared_error.py``, ...); every public ``check_*`` function
of those modules is importable from here.
"""
from __future__ import annotations

import importlib
import pkgutil

from ._core import CheckFailed, Exercise, install_short_tracebacks

__all__ = ["CheckFailed", "Exercise"]

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_module, "__all__", []):
        if _name.startswith("check_"):
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)

install_short_tracebacks()
