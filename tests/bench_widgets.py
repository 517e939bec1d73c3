"""Kernel-side latency of every interactive figure in the course (part of `make bench`).

For each ready lesson, the notebook is executed headless in a fresh kernel; then,
in that kernel, every slider-like widget is moved a few steps and we time, from
the value change: the slider's callbacks (including any blitting they do, see
``lossopt.plotting.LiveFigure``), plus a full Agg render and PNG encoding of every
figure whose ``draw_idle`` they called (ipympl answers draw_idle with exactly that
full draw). That is the kernel's share of the time before the browser can show
the new picture.

Prints one line per slider and ends with ``slowest widget update: <name> <ms> ms``.
Target: every update under 50 ms.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lossopt.course import ready_lessons  # noqa: E402

TARGET_MS = 50.0

PROBE = r'''
import json as _json, time as _time, statistics as _st, math as _math
import ipywidgets as _w
from matplotlib.figure import Figure as _Figure
import gc as _gc

def _figures():
    return [o for o in _gc.get_objects() if isinstance(o, _Figure)]

def _candidate_values(s, moves):
    if hasattr(s, "options") and not hasattr(s, "min"):
        opts = list(getattr(s, "_options_values", None) or s.options)
        i = opts.index(s.value) if s.value in opts else 0
        return [opts[(i + k) % len(opts)] for k in range(1, moves + 1)]
    lo, hi, step = s.min, s.max, (s.step or (s.max - s.min) / 20)
    log = isinstance(s, _w.FloatLogSlider)      # min, max and step are exponents of s.base
    vals, v, d = [], (_math.log(s.value, s.base) if log else s.value), 1
    for _ in range(moves):
        if v + d * step > hi or v + d * step < lo:
            d = -d
        v = v + d * step
        if log:
            vals.append(float(s.base ** v))
        else:
            vals.append(type(s.value)(v) if not isinstance(s.value, float) else float(v))
    return vals

# A browser has sent "initialized" to every ipympl canvas by now, after which ipympl stops
# re-encoding a PNG snapshot for the saved notebook on each draw: do the same headless.
for _f in _figures():
    if hasattr(_f.canvas, "syncing_data_url"):
        _f.canvas.syncing_data_url = False
        _f.canvas.draw()   # the browser's first full draw, when it displays the figure

_results = []
_kinds = (_w.FloatSlider, _w.IntSlider, _w.FloatLogSlider, _w.SelectionSlider)
_sliders = [w for w in list(_w.Widget.widgets.values()) if isinstance(w, _kinds)]
for _s in _sliders:
    _times = []
    _start = _s.value
    for _v in _candidate_values(_s, MOVES):
        _asked = set()
        _figs = _figures()
        for _f in _figs:   # ipympl: draw_idle asks the browser, which asks back for a full draw
            _f.canvas.draw_idle = (lambda f=_f: _asked.add(id(f)))
        _t0 = _time.perf_counter()
        _s.value = _v
        for _f in _figs:
            if id(_f) in _asked:
                _f.canvas.draw()
        _times.append((_time.perf_counter() - _t0) * 1000)
        for _f in _figs:
            del _f.canvas.draw_idle
    _s.value = _start
    _results.append({"slider": _s.description or type(_s).__name__, "median_ms": _st.median(_times),
                     "max_ms": max(_times)})
print("BENCH-RESULTS " + _json.dumps(_results))
'''


def measure(notebook: Path, moves: int) -> list[dict]:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE.replace("MOVES", str(moves))))
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    client.execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    # callbacks may print too: take the probe's own line
    lines = [line for line in out.splitlines() if line.startswith("BENCH-RESULTS ")]
    if not lines:
        raise RuntimeError(f"{notebook.name}: the probe printed no results; its output was:\n{out[-2000:]}")
    return json.loads(lines[-1][len("BENCH-RESULTS "):])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer moves per slider")
    parser.add_argument("notebooks", nargs="*", help="default: every ready lesson")
    args = parser.parse_args(argv)
    moves = 3 if args.quick else 10
    paths = [Path(p) for p in args.notebooks] or [ROOT / lesson.notebook for lesson in ready_lessons()]
    slowest = None
    print(f"{'widget':64s} {'median':>8s} {'max':>8s}")
    for path in paths:
        for r in measure(path, moves):
            name = f"{path.stem}:{r['slider']}"
            print(f"{name:64s} {r['median_ms']:7.1f}ms {r['max_ms']:7.1f}ms")
            if slowest is None or r["median_ms"] > slowest[1]:
                slowest = (name, r["median_ms"])
    if slowest is None:
        print("slowest widget update: none (no sliders found)")
        return 0
    verdict = "within" if slowest[1] <= TARGET_MS else "OVER"
    print(f"slowest widget update: {slowest[0]} {slowest[1]:.1f} ms ({verdict} the {TARGET_MS:.0f} ms target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
