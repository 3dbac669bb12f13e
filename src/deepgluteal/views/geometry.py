"""Plane geometry of the drawings: smoothing, bands around lines, capsules, points along lines.

Pure numpy on (k, 2) arrays of drawing coordinates; nothing here knows what is drawn.
"""

from __future__ import annotations

import numpy as np


def chaikin(points, rounds=2):
    """Corner-cutting smoothing of an open polyline (k, 2); keeps both end points."""
    for _ in range(rounds):
        a, b = points[:-1], points[1:]
        inner = np.empty((2 * len(a), 2))
        inner[0::2] = 0.75 * a + 0.25 * b
        inner[1::2] = 0.25 * a + 0.75 * b
        points = np.vstack([points[:1], inner[1:-1], points[-1:]])
    return points


def chaikin_closed(points, rounds=2):
    """Corner-cutting smoothing of a closed polygon (k, 2)."""
    for _ in range(rounds):
        b = np.roll(points, -1, axis=0)
        inner = np.empty((2 * len(points), 2))
        inner[0::2] = 0.75 * points + 0.25 * b
        inner[1::2] = 0.25 * points + 0.75 * b
        points = inner
    return points


def normals(points):
    tangent = np.gradient(points, axis=0)
    tangent /= np.maximum(np.hypot(tangent[:, 0], tangent[:, 1]), 1e-9)[:, None]
    return np.column_stack([-tangent[:, 1], tangent[:, 0]])


def band(points, half_width):
    """Polygon (2k, 2) of a band of per-vertex half width around an open polyline (k, 2)."""
    offset = normals(points) * np.asarray(half_width)[:, None]
    return np.vstack([points + offset, (points - offset)[::-1]])


def rounded_band(points, half_width, n_arc=7):
    """Band polygon with a rounded cap at the first (medial, origin) end."""
    polygon = band(points, half_width)
    d = points[1] - points[0]
    angle = np.arctan2(d[1], d[0])
    arc = np.linspace(np.pi / 2, 3 * np.pi / 2, n_arc)[1:-1]
    cap = points[0] + half_width[0] * np.column_stack([np.cos(angle + arc),
                                                       np.sin(angle + arc)])
    # The band runs out along its left edge and back along its right edge: the cap closes it.
    return np.vstack([polygon, cap[::-1]])


def fibre_lines(points, half_width, fractions=(-0.55, 0.0, 0.55)):
    """Thin lines along a band (NaN-separated), suggesting the muscle's fibres."""
    normal = normals(points)
    inner = slice(1, len(points) - 1)
    pieces = []
    for f in fractions:
        pieces.append(points[inner] + normal[inner] * (f * half_width[inner])[:, None])
        pieces.append(np.full((1, 2), np.nan))
    return np.vstack(pieces)


def densify(points, per_segment):
    """Insert ``per_segment - 1`` evenly spaced points into each segment of a polyline."""
    t = np.linspace(0.0, 1.0, per_segment, endpoint=False)[:, None]
    pieces = [a + t * (b - a) for a, b in zip(points[:-1], points[1:], strict=True)]
    return np.vstack(pieces + [points[-1:]])


def drop_repeats(points, tolerance_mm=6.0):
    """Drop points closer than ``tolerance_mm`` to the previous kept one (end-on segments)."""
    kept = [points[0]]
    for point in points[1:]:
        if np.hypot(*(point - kept[-1])) >= tolerance_mm:
            kept.append(point)
    if len(kept) < 2:
        kept.append(kept[0] + [0.0, -tolerance_mm])
    return np.array(kept)


def arc_fraction(points):
    step = np.hypot(*np.diff(points, axis=0).T)
    total = np.concatenate([[0.0], np.cumsum(step)])
    return total / max(total[-1], 1e-9)


def capsule(a, b, radius, n_arc=10):
    """Stadium polygon around the projected segment a-b (2,) with a radius (mm)."""
    d = b - a
    length = np.hypot(*d)
    angle = np.arctan2(d[1], d[0]) if length > 1e-6 else 0.0
    cap = np.linspace(-np.pi / 2, np.pi / 2, n_arc)
    end_b = b + radius * np.column_stack([np.cos(angle + cap), np.sin(angle + cap)])
    end_a = a + radius * np.column_stack([np.cos(angle + np.pi + cap),
                                          np.sin(angle + np.pi + cap)])
    return np.vstack([end_b, end_a])


def polyline_point(points, fraction):
    """Point at a fraction of the arc length of a polyline (k, 2)."""
    s = arc_fraction(points)
    return np.array([np.interp(fraction, s, points[:, 0]), np.interp(fraction, s, points[:, 1])])
