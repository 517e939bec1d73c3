"""One plotting style for the whole course.

Colours come from the Okabe–Ito palette, which stays distinguishable for the
common forms of colour blindness. Each loss and each optimizer keeps the same
colour in every lesson: look the colour up with :func:`color`.

Call :func:`use_style` once at the top of a notebook.
"""
from __future__ import annotations

import matplotlib as mpl
import numpy as np
from cycler import cycler

__all__ = ["PALETTE", "LOSS_COLORS", "OPTIMIZER_COLORS", "use_style", "color"]

# Okabe & Ito (2008), Color Universal Design.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky_blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#7F7F7F",
}

LOSS_COLORS = {
    "mse": PALETTE["blue"],
    "mae": PALETTE["orange"],
    "huber": PALETTE["green"],
    "binary_cross_entropy": PALETTE["vermillion"],
    "logistic": PALETTE["vermillion"],
    "cross_entropy": PALETTE["vermillion"],
    "hinge": PALETTE["purple"],
    "multiclass_hinge": PALETTE["purple"],
    "zero_one": PALETTE["black"],
}

OPTIMIZER_COLORS = {
    "GD": PALETTE["black"],
    "SGD": PALETTE["black"],
    "Momentum": PALETTE["orange"],
    "Nesterov": PALETTE["yellow"],
    "Adagrad": PALETTE["sky_blue"],
    "RMSprop": PALETTE["green"],
    "Adam": PALETTE["vermillion"],
    "AdamW": PALETTE["purple"],
}

CLASS_COLORS = [PALETTE["blue"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"], PALETTE["sky_blue"]]

STYLE = {
    "figure.figsize": (7.0, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "savefig.bbox": "tight",
    "font.size": 12,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "legend.fontsize": 10.5,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "axes.prop_cycle": cycler(color=[PALETTE[k] for k in
                                     ("blue", "orange", "green", "vermillion", "purple", "sky_blue", "black")]),
    "image.cmap": "viridis",
    "figure.constrained_layout.use": True,
}


def use_style() -> None:
    """Apply the course style to matplotlib (fonts, grid, colour-blind-safe colour cycle)."""
    mpl.rcParams.update(STYLE)


def color(name: str) -> str:
    """The course colour of a loss (``"mse"``, ``"huber"``, ...) or an optimizer (``"Adam"``, ...)."""
    for table in (LOSS_COLORS, OPTIMIZER_COLORS, PALETTE):
        if name in table:
            return table[name]
    known = sorted(set(LOSS_COLORS) | set(OPTIMIZER_COLORS))
    raise ValueError(f"no course colour for {name!r}; known names: {', '.join(known)}")


def interactive_figure(nrows: int = 1, ncols: int = 1, *, figsize=None, **subplot_kw):
    """A figure drawn by ipympl that a widget callback can update in place.

    Returns ``(fig, axes)`` like ``plt.subplots``; show it with
    ``ipywidgets.VBox([slider, fig.canvas])`` and, in the slider's callback, change the
    artists (``line.set_data``, ...) and call ``fig.canvas.draw_idle()``. The rest of the
    notebook keeps the inline backend, and the figure is not displayed twice.
    """
    import sys

    from matplotlib.figure import Figure

    if "ipympl" not in sys.modules:
        # ipympl/__init__.py calls matplotlib.use("ipympl") when matplotlib is already
        # imported, which would turn every later figure of the notebook into a widget.
        # Import the package with matplotlib hidden, so the inline backend stays.
        hidden = sys.modules.pop("matplotlib")
        try:
            import ipympl  # noqa: F401
        finally:
            sys.modules["matplotlib"] = hidden
    from ipympl.backend_nbagg import Canvas, FigureManager

    fig = Figure(figsize=figsize or mpl.rcParams["figure.figsize"])
    canvas = Canvas(fig)
    FigureManager(canvas, 0)
    canvas.header_visible = False
    canvas.footer_visible = False
    canvas.toolbar_visible = False
    canvas.resizable = False
    axes = fig.subplots(nrows, ncols, **subplot_kw)
    return fig, axes


class LiveFigure:
    """Redraw only what a slider changes, by blitting: about ten times faster than a full redraw.

    A full redraw re-renders every tick label and title (most of the ~100 ms a
    three-panel figure takes); blitting restores a saved picture of the static parts
    and draws only the given artists on top (a few ms)::

        fig, ax = plotting.interactive_figure()
        line, = ax.plot(x, y)
        ax.set_ylim(0, 10)                    # fixed limits: the axes are not redrawn
        live = plotting.LiveFigure(fig, [line])

        def update(change):
            line.set_ydata(new_y(change["new"]))
            live.update()

    The artists are marked *animated* (matplotlib leaves them out of the static
    picture). Axis limits, ticks and anything not in ``artists`` stay as first drawn:
    call :meth:`redraw` after changing those. Works with any Agg-based canvas; on
    other canvases :meth:`update` falls back to a full redraw.

    ``overlays`` are artists that do not change but must stay on top of the animated
    ones, typically a legend over moving points: they are rendered once per full draw
    onto a transparent layer, which each update pastes over the animated artists
    (a legend's text would otherwise cost more than everything else)::

        live = plotting.LiveFigure(fig, [points, line], overlays=[ax.legend()])
    """

    def __init__(self, fig, artists, overlays=()):
        self.fig = fig
        self.canvas = fig.canvas
        self.artists = list(artists)
        self.overlays = list(overlays)
        for artist in self.artists + self.overlays:
            artist.set_animated(True)
        self._background = None
        self._layers = []     # (x0, y0, RGBA image) of each overlay, from the last full draw
        self._can_blit = hasattr(self.canvas, "copy_from_bbox") and hasattr(self.canvas, "restore_region")
        self._cid = self.canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, event):
        """After every full draw: save the static picture, then add the animated artists."""
        if event.canvas.is_saving():
            # savefig (ipympl's static picture, downloads) draws the animated artists of
            # the axes itself, at its own size: drawing them again would double every
            # translucent patch, and that picture is no background for the live canvas.
            for artist in self.artists + self.overlays:
                if artist.axes is None:
                    artist.draw(event.renderer)
            return
        if self._can_blit:
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._layers = self._render_overlays(event.renderer)
        self._draw_artists()

    def _render_overlays(self, renderer):
        """Each overlay drawn alone on a transparent canvas, cropped to its extent."""
        from matplotlib.backends.backend_agg import RendererAgg

        if not self.overlays or not isinstance(renderer, RendererAgg):
            return []
        layers = []
        for artist in self.overlays:
            layer = RendererAgg(renderer.width, renderer.height, renderer.dpi)
            artist.draw(layer)
            pixels = np.asarray(layer.buffer_rgba())
            rows, cols = np.nonzero(pixels[:, :, 3])
            if rows.size:
                top, bottom, left, right = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
                # draw_image wants the bottom row first
                layers.append((int(left), int(renderer.height - bottom), pixels[top:bottom, left:right][::-1].copy()))
        return layers

    def _draw_artists(self):
        for artist in self.artists:
            self.fig.draw_artist(artist)
        if not self.overlays:
            return
        if not self._layers:
            for artist in self.overlays:
                self.fig.draw_artist(artist)
            return
        renderer = self.canvas.get_renderer()
        gc = renderer.new_gc()
        for x0, y0, image in self._layers:
            renderer.draw_image(gc, x0, y0, image)
        gc.restore()

    def update(self) -> None:
        """Show the artists' new state (call after set_data, set_text, ...)."""
        if self._background is None:
            self.canvas.draw_idle()   # nothing drawn yet: the first full draw will include them
            return
        self.canvas.restore_region(self._background)
        self._draw_artists()
        self.canvas.blit(self.fig.bbox)

    def redraw(self) -> None:
        """Full redraw, for changes outside the animated artists (limits, ticks, titles)."""
        self.canvas.draw_idle()
