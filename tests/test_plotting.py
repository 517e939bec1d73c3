"""lossopt.plotting: the course style, colours, and LiveFigure's blitting."""
from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from lossopt import plotting


def _pixels(fig):
    return np.asarray(fig.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("with_overlay", [False, True])
def test_live_update_draws_exactly_what_a_full_redraw_draws(with_overlay):
    plotting.use_style()
    fig, ax = plotting.interactive_figure(figsize=(4, 3))
    fig.canvas.send = lambda *a, **k: None          # no browser attached
    x = np.linspace(-2, 2, 50)
    line, = ax.plot(x, x ** 2, label="curve")
    square = matplotlib.patches.Rectangle((0, 0), 1, 1, alpha=0.3)
    ax.add_patch(square)
    title = ax.set_title("a = 1.0")
    ax.set(xlim=(-2, 2), ylim=(0, 8))
    legend = ax.legend(loc="upper center")
    live = plotting.LiveFigure(fig, [line, square, title], **({"overlays": [legend]} if with_overlay else {}))
    fig.canvas.draw()                                # the first full draw, as on display
    for a in (0.5, 1.7, 3.0):
        line.set_ydata(a * x ** 2)
        square.set_width(a)
        title.set_text(f"a = {a}")
        live.update()
        blitted = _pixels(fig)
        fig.canvas.draw()                            # full redraw of the same state
        assert np.array_equal(blitted, _pixels(fig)), f"blitted picture differs from a full redraw at a = {a}"


def test_update_before_the_first_draw_asks_for_a_full_draw():
    fig, ax = plotting.interactive_figure(figsize=(3, 2))
    asked = []
    fig.canvas.draw_idle = lambda: asked.append(True)
    line, = ax.plot([0, 1], [0, 1])
    plotting.LiveFigure(fig, [line]).update()
    assert asked == [True]


def test_interactive_figure_leaves_the_backend_alone():
    backend = matplotlib.get_backend()
    plotting.interactive_figure()
    assert matplotlib.get_backend() == backend


def test_every_loss_and_optimizer_has_one_colour_blind_safe_colour():
    for name in ("mse", "mae", "huber", "cross_entropy", "hinge", "SGD", "Momentum", "RMSprop", "Adam", "AdamW"):
        assert plotting.color(name) in plotting.PALETTE.values()
    with pytest.raises(ValueError, match="no course colour"):
        plotting.color("nonsense")
