"""Loads view: how hard each muscle group works now, and over the stance phase.

Left: bars for the current instant beside faint ghost bars of the healthy state. Right: the
effort over stance (walking) with the healthy curve as a ghost and a cursor at the current
instant. Effort is each group's force as a percentage of the force it can produce, so small
deep rotators and large gluteals share one scale, and the axes never rescale (their ticks are
part of the cached background).
"""

from __future__ import annotations

import numpy as np

from deepgluteal.views import style


def _quiet_axes(ax):
    ax.tick_params(labelsize=style.FONT_SIZE - 2, colors=style.MUTED_INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(style.AXIS_SPINE)
    ax.grid(axis="y", color=style.AXIS_GRID, lw=0.8)
    ax.set_axisbelow(True)


class LoadsView:
    """Bars (now) and curves (over stance), drawn once and updated in place.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    labels : mapping
        Group key -> short label (already translated).
    text : mapping
        ``now_title``, ``stance_title``, ``xlabel``, ``ylabel``, ``healthy``, ``static_note``.
    y_max_pct : float
        Fixed top of the effort axes (% of maximum).
    """

    def __init__(self, figure, labels, text, y_max_pct=100.0):
        self.groups = tuple(style.GROUP_COLOURS)
        grid = figure.add_gridspec(1, 2, width_ratios=(1, 2.3), wspace=0.2,
                                   left=0.2, right=0.95, bottom=0.2, top=0.78)
        self.ax_now = figure.add_subplot(grid[0])
        self.ax_stance = figure.add_subplot(grid[1], sharey=self.ax_now)
        for ax in (self.ax_now, self.ax_stance):
            _quiet_axes(ax)
        self.ax_now.set_ylim(0, y_max_pct)
        self.ax_now.set_ylabel(text["ylabel"], fontsize=style.FONT_SIZE - 1,
                               color=style.MUTED_INK)
        self.ax_now.set_title(text["now_title"], fontsize=style.FONT_SIZE - 1, color=style.INK,
                              loc="left", pad=3)
        self.ax_stance.set_title(text["stance_title"], fontsize=style.FONT_SIZE - 1,
                                 color=style.INK, loc="left", pad=3)
        self.ax_stance.set_xlim(0, 100)
        self.ax_stance.set_xlabel(text["xlabel"], fontsize=style.FONT_SIZE - 1,
                                  color=style.MUTED_INK)
        self.ax_stance.tick_params(labelleft=False)
        positions = np.arange(len(self.groups))
        self.ax_now.set_xticks([])
        self.ax_now.set_xlim(-0.6, len(self.groups) - 0.4)
        self.bars, self.ghost_bars, self.ghosts, self.curves, self.dots = {}, {}, {}, {}, {}
        for x, group in zip(positions, self.groups, strict=True):
            colour = style.GROUP_COLOURS[group]
            self.ghost_bars[group] = self.ax_now.bar(x, 0, width=0.78, color=colour,
                                                     alpha=0.16, lw=0)[0]
            self.bars[group] = self.ax_now.bar(x, 0, width=0.44, color=colour, lw=0)[0]
            self.ghosts[group], = self.ax_stance.plot([], [], color=colour, lw=5, alpha=0.16,
                                                      solid_capstyle="round")
            self.curves[group], = self.ax_stance.plot([], [], color=colour, lw=2.2)
            self.dots[group], = self.ax_stance.plot([], [], "o", color=colour, ms=6)
        figure.legend([self.bars[g] for g in self.groups], [labels[g] for g in self.groups],
                      loc="upper center", ncols=len(self.groups), frameon=False,
                      fontsize=style.FONT_SIZE - 3, handlelength=0.8, columnspacing=0.8,
                      handletextpad=0.4, borderaxespad=0.2)
        self.cursor = self.ax_stance.axvline(0, color=style.MUTED_INK, lw=1, ls=(0, (3, 3)))
        self.static_note = self.ax_stance.text(
            0.5, 0.5, text["static_note"], transform=self.ax_stance.transAxes, ha="center",
            va="center", fontsize=style.FONT_SIZE - 1, color=style.MUTED_INK, wrap=True)
        self.ax_stance.text(0.99, 0.97, text["healthy"], transform=self.ax_stance.transAxes,
                            ha="right", va="top", fontsize=style.FONT_SIZE - 2,
                            color=style.MUTED_INK)

    @property
    def ghost_artists(self):
        """The healthy state's faint bars and curves."""
        return [*self.ghost_bars.values(), *self.ghosts.values()]

    @property
    def dynamic_artists(self):
        return [*self.ghost_bars.values(), *self.bars.values(), *self.ghosts.values(),
                *self.curves.values(), *self.dots.values(), self.cursor, self.static_note]

    def update(self, stance_pct, effort_pct, healthy_effort_pct, index):
        """Show one state.

        Parameters
        ----------
        stance_pct : array_like, shape (n,)
            Instants (% of stance); n = 1 for a static task.
        effort_pct, healthy_effort_pct : mapping
            Group key -> effort (% of the group's maximum force), shape (n,).
        index : int
            Current instant.
        """
        stance_pct = np.asarray(stance_pct, dtype=float)
        over_time = stance_pct.size > 1
        for group in self.groups:
            now = np.asarray(effort_pct[group], dtype=float)
            ghost = np.asarray(healthy_effort_pct[group], dtype=float)
            self.bars[group].set_height(now[index])
            self.ghost_bars[group].set_height(ghost[index])
            self.curves[group].set_data(stance_pct, now)
            self.ghosts[group].set_data(stance_pct, ghost)
            self.dots[group].set_data([stance_pct[index]], [now[index]])
            for artist in (self.curves[group], self.ghosts[group], self.dots[group]):
                artist.set_visible(over_time)
        self.cursor.set_xdata([stance_pct[index]] * 2)
        self.cursor.set_visible(over_time)
        self.static_note.set_visible(not over_time)
