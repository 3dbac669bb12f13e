"""Canonical figures of the deep gluteal space, exported as PNG and SVG.

    python -m deepgluteal.figures --out figures/

writes ``posterior_<state>.png`` and ``.svg`` (1280 x 720 px) for the states in
:data:`CANONICAL_STATES`: healthy walking, knee valgus, weak gluteals, sitting, and each
Beaton-Anson nerve variant A-F in the FAIR test position. Every state is a
:class:`~deepgluteal.scenario.Scenario` run through :func:`deepgluteal.model.simulate`, so the
figures show exactly what the dashboard shows for the same settings.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from deepgluteal.presets import DEFAULT_STANCE_PCT, presets
from deepgluteal.scenario import Scenario
from deepgluteal.space import VARIANTS

CANONICAL_STATES = ("healthy", "valgus", "weak_gluteals", "sitting",
                    *(f"variant_{v}" for v in VARIANTS))
"""Names of the exported states, in order."""

FIGURE_SIZE_IN = (12.8, 7.2)
FIGURE_DPI = 100


def canonical_scenario(name: str) -> tuple[Scenario, str]:
    """The scenario behind a canonical figure and its caption.

    Walking states are shown at :data:`deepgluteal.presets.DEFAULT_STANCE_PCT` of stance; the
    valgus and sitting states are the dashboard's presets; weak gluteals is gluteus medius and
    maximus at half strength; the variant figures use the FAIR test position.
    """
    fields = {key: value for key, value in presets()["dynamic_valgus"].items()}
    if name == "healthy":
        return Scenario(), f"Healthy walking, {DEFAULT_STANCE_PCT} % of stance"
    if name == "valgus":
        return (Scenario(**fields),
                f"Knee valgus {fields['valgus_deg']:.0f}°, {DEFAULT_STANCE_PCT} % of stance")
    if name == "weak_gluteals":
        return (Scenario(glute_med_strength=0.5, glute_max_strength=0.5),
                f"Gluteals at half strength, {DEFAULT_STANCE_PCT} % of stance")
    if name == "sitting":
        return Scenario(task="sitting"), "Sitting"
    if name.startswith("variant_") and name.removeprefix("variant_") in VARIANTS:
        variant = name.removeprefix("variant_")
        return (Scenario(task="fair", nerve_variant=variant),
                f"FAIR test position, nerve type {variant}")
    raise ValueError(f"state must be one of {', '.join(CANONICAL_STATES)} (got {name!r})")


def draw_state(name: str):
    """A new 1280 x 720 figure with the posterior view of one canonical state.

    Returns
    -------
    (matplotlib.figure.Figure, deepgluteal.views.posterior.PosteriorView)
    """
    from matplotlib.figure import Figure

    from deepgluteal.picture_data import picture, state
    from deepgluteal.scene import posterior_view
    from deepgluteal.views.picture import draw
    from deepgluteal.views.posterior import posterior_labels

    scenario, caption = canonical_scenario(name)
    figure = Figure(figsize=FIGURE_SIZE_IN, dpi=FIGURE_DPI)
    view = posterior_view(figure.add_axes((0.0, 0.0, 1.0, 1.0)), ghost=True,
                          labels=posterior_labels("en"))
    draw(picture(state(scenario, DEFAULT_STANCE_PCT), "en"), posterior=view)
    view.set_caption(caption)
    return figure, view


def export_canonical_figures(out_dir) -> list[Path]:
    """Write ``posterior_<state>.png`` and ``.svg`` for every canonical state.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder to write into (created if missing).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    # A fixed salt and no date keep the SVG files identical from run to run.
    with matplotlib.rc_context({"svg.hashsalt": "deepgluteal"}):
        for name in CANONICAL_STATES:
            figure, _ = draw_state(name)
            FigureCanvasAgg(figure)
            for suffix in ("png", "svg"):
                path = out / f"posterior_{name}.{suffix}"
                metadata = {"Date": None} if suffix == "svg" else None
                figure.savefig(path, dpi=FIGURE_DPI, metadata=metadata)
                written.append(path)
    return written


def main(argv=None) -> int:
    """Command line: ``python -m deepgluteal.figures --out figures/``."""
    parser = argparse.ArgumentParser(
        prog="python -m deepgluteal.figures",
        description="Export the canonical posterior views of the deep gluteal space.")
    parser.add_argument("--out", default="figures", help="output folder (default: figures)")
    args = parser.parse_args(argv)
    for path in export_canonical_figures(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
