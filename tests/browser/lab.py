"""Driving a notebook in a real JupyterLab page (used by test_browser.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

READY_JS = """() => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  if (!w || !w.context || !w.context.isReady || !w.sessionContext) return false;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}"""

RUN_ALL_JS = """async () => {
  const app = window.jupyterapp;
  const w = app.shell.currentWidget;
  try { await app.commands.execute('notebook:run-all-cells'); } catch (e) { /* a failing cell */ }
  // Run All's promise can settle before the last cell has run (e.g. after an error in a cell
  // tagged raises-exception, which Run All goes past): wait until the kernel has been idle
  // for 1.5 s in a row.
  let idleSince = null;
  for (let i = 0; i < 1200; i++) {
    const k = w.sessionContext.session.kernel;
    if (k.status === 'idle') {
      idleSince = idleSince || performance.now();
      if (performance.now() - idleSince > 1500) break;
    } else {
      idleSince = null;
    }
    await new Promise(r => setTimeout(r, 100));
  }
}"""

CELLS_JS = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const out = [];
  for (let i = 0; i < nb.model.cells.length; i++) {
    const c = nb.model.cells.get(i);
    if (c.type !== 'code') continue;
    const outputs = c.outputs.toJSON();
    out.push({
      index: i,
      tags: c.getMetadata('tags') || [],
      executed: c.executionCount !== null && c.executionCount !== undefined,
      source: c.sharedModel.getSource().slice(0, 80),
      errors: outputs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue),
      widgets: outputs.filter(o => o.data && o.data['application/vnd.jupyter.widget-view+json']).length,
    });
  }
  return out;
}"""

# Rendered widget views, and widgets that failed to render.
WIDGET_DOM_JS = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content.node;
  const text = nb.innerText;
  return {
    views: nb.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length,
    sliders: nb.querySelectorAll('.widget-slider .noUi-handle').length,
    canvases: nb.querySelectorAll('.jupyter-matplotlib-figure canvas').length,
    broken: (text.match(/Error displaying widget|Loading widget\\.\\.\\.|model not found/g) || []).length,
  };
}"""

# Press an arrow key on slider `i` and time until a figure in the same cell repaints.
MOVE_SLIDER_JS = """async ([i, key]) => {
  const nb = window.jupyterapp.shell.currentWidget.content.node;
  const handle = nb.querySelectorAll('.widget-slider .noUi-handle')[i];
  const cell = handle.closest('.jp-Cell');
  handle.scrollIntoView({block: 'center'});
  await new Promise(r => setTimeout(r, 300));
  const canvases = () => [...cell.querySelectorAll('.jupyter-matplotlib-figure canvas')];
  const snap = () => canvases().map(c => { try { return c.toDataURL(); } catch (e) { return ''; } }).join('|');
  const before = snap();
  const label = (handle.closest('.widget-slider').querySelector('.widget-label') || {}).innerText || '';
  const value = (handle.closest('.widget-slider').querySelector('.widget-readout') || {}).innerText || '';
  handle.focus();
  const t0 = performance.now();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key: key, code: key, bubbles: true}));
  while (performance.now() - t0 < 5000) {
    await new Promise(r => requestAnimationFrame(r));
    if (snap() !== before) {
      return {changed: true, ms: performance.now() - t0, label: label, value: value, canvases: canvases().length};
    }
  }
  return {changed: false, ms: performance.now() - t0, label: label, value: value, canvases: canvases().length};
}"""


@dataclass
class NotebookRun:
    path: str
    cells: list = field(default_factory=list)
    widgets: dict = field(default_factory=dict)
    slider_times: list = field(default_factory=list)   # (label, ms, changed)

    def problems(self) -> list[str]:
        out = []
        for c in self.cells:
            allowed = "raises-exception" in c["tags"]
            if c["errors"] and not allowed:
                out.append(f"cell {c['index']} ({c['source']!r}) failed: {c['errors'][0][:300]}")
            if not c["executed"] and not allowed:
                out.append(f"cell {c['index']} ({c['source']!r}) did not run")
        expected_views = sum(c["widgets"] for c in self.cells)
        if self.widgets.get("broken"):
            out.append(f"{self.widgets['broken']} widget(s) failed to render")
        if expected_views and self.widgets.get("views", 0) < expected_views:
            out.append(f"{expected_views} widget output(s) but only {self.widgets.get('views')} rendered")
        for label, ms, changed in self.slider_times:
            if not changed:
                out.append(f"moving slider {label!r} did not change its figure within 5 s")
        return out


SHUTDOWN_JS = """async () => {
  const w = window.jupyterapp.shell.currentWidget;
  if (w && w.sessionContext) { await w.sessionContext.shutdown(); }
}"""


def run_notebook(page, base_url: str, path: str, timeout_ms: int = 120_000) -> NotebookRun:
    """Open ``path`` in JupyterLab, run all cells, render widgets, move every slider."""
    # A workspace of its own, reset, so no tab (and kernel) of an earlier test is reopened.
    workspace = "t-" + "".join(ch if ch.isalnum() else "-" for ch in path)
    page.goto(f"{base_url}/lab/workspaces/{workspace}/tree/{path}?reset", wait_until="domcontentloaded")
    page.wait_for_function(READY_JS, timeout=timeout_ms)
    page.evaluate(RUN_ALL_JS)
    result = NotebookRun(path)
    result.cells = page.evaluate(CELLS_JS)
    expected_views = sum(c["widgets"] for c in result.cells)
    if expected_views:
        try:
            page.wait_for_function(
                f"() => window.jupyterapp.shell.currentWidget.content.node"
                f".querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length >= {expected_views}",
                timeout=30_000)
        except Exception:
            pass  # reported by problems()
    result.widgets = page.evaluate(WIDGET_DOM_JS)
    for i in range(result.widgets.get("sliders", 0)):
        r = page.evaluate(MOVE_SLIDER_JS, [i, "ArrowRight"])
        if not r["changed"]:  # maybe at its maximum: try the other way
            r = page.evaluate(MOVE_SLIDER_JS, [i, "ArrowLeft"])
        result.slider_times.append((r["label"] or f"slider {i}", r["ms"], r["changed"]))
    page.evaluate(SHUTDOWN_JS)
    return result
