"""What the views are given: one state's drawing data, and the one function that draws it.

The model's side (``deepgluteal.picture_data``) turns a model result into a :class:`Picture`;
:func:`draw` puts it on whichever of the three views a caller has (the dashboard's tiles, the
handout's page, an exported figure). No other code moves the views to a state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Anatomy:
    """The fixed parts of the views: ``posterior`` (a
    :class:`~deepgluteal.views.posterior.PosteriorAnatomy`) and ``leg`` (a
    :class:`~deepgluteal.views.frontal.LegAnatomy`)."""

    posterior: object
    leg: object


@dataclass(frozen=True)
class Picture:
    """One state as the three views show it.

    Attributes
    ----------
    space, ghost : space geometry
        The deep gluteal space of the state and of its healthy reference (``SpaceResult``).
    index : int
        The instant shown.
    activation : mapping
        gait2392 muscle name -> activation (0..1) at that instant.
    pose : mapping
        Joint positions of the stance leg (body heights).
    knee_valgus_deg, pelvic_drop_deg : float
    note : str
        Words over the leg drawing when the leg does not stand ("" when it does).
    stance_pct : ndarray (n,)
        The instants of the state (% of stance; one for a static task).
    effort_pct, healthy_effort_pct : mapping
        Muscle group -> effort (% of the group's maximum force), shape (n,).
    """

    space: object
    ghost: object
    index: int
    activation: Mapping[str, float]
    pose: Mapping[str, np.ndarray]
    knee_valgus_deg: float
    pelvic_drop_deg: float
    note: str
    stance_pct: np.ndarray
    effort_pct: Mapping[str, np.ndarray]
    healthy_effort_pct: Mapping[str, np.ndarray]


def draw(picture: Picture, *, posterior=None, frontal=None, loads=None) -> None:
    """Show one state on the views given (a view left out keeps what it showed)."""
    if posterior is not None:
        posterior.update(picture.space, picture.index, picture.activation, ghost=picture.ghost)
    if frontal is not None:
        frontal.update(picture.pose, knee_valgus_deg=picture.knee_valgus_deg,
                       pelvic_drop_deg=picture.pelvic_drop_deg, note=picture.note)
    if loads is not None:
        loads.update(picture.stance_pct, picture.effort_pct, picture.healthy_effort_pct,
                     picture.index)
