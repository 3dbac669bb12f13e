"""Load sharing: static optimisation, solved for all instants at once.

At each instant the activations ``a`` (m,) solve

    minimise   1/2 sum a_i^2 + 1/2 rho^2 + 1/2 |sigma|^2
    subject to B a + R1 rho d/|d| + R2 sigma = d,   0 <= a_i <= 1,

where ``B[j, i] = r_ji x strength_i x Fmax_i`` is muscle i's moment about coordinate j per unit
activation (N m) and ``d`` the demand (N m). Two kinds of reserve actuator make the problem
solvable when the muscles cannot meet the demand: one that acts along the demand itself
(strength ``R1`` = 1e-4 N m, ``reserve_moment_Nm``) and three weaker ones about the three axes
(``R2 = R1 / 100``) that only keep the numerics regular. Carrying 1 N m costs a reserve about
1e8 times more than a fully active muscle, so reserves carry only what the muscles cannot.
The muscles then produce the largest part of the demanded moment that they can, *in the
direction of the demand* (the closest achievable point along the demand), and the unmet moment
``d - B a`` says which moment is missing and by how much; it is never hidden. Where the demand
is achievable the unmet moment is below 1e-9 N m.

The problem is strictly convex with three equality constraints, so it is solved in its dual:
the activations are ``a = clip(B^T lam, 0, 1)`` for the three multipliers ``lam``, and a
semi-smooth Newton method on the (concave, piecewise quadratic) dual finds ``lam``, for all
instants at once. Each iteration is a handful of batched 3 x 3 solves. Achievable demands
converge in 1-8 iterations with a backtracking line search. Unmet demands need multipliers
of order ``1/R1^2``; they are reached by continuation (reserve strength 1, 1e-2, 1e-4 N m) with
an exact line search. An instant has converged when its gradient vanishes or when a full
Newton step keeps the pattern of activations at their bounds (the dual is then exactly
quadratic there).

References
----------
.. [1] Crowninshield R.D., Brand R.A. (1981) A physiologically based criterion of muscle force
   prediction in locomotion. J Biomech 14:793-801 (activation-squared criterion;
   ``crowninshield1981``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from deepgluteal.kinematics import model_constant

TOLERANCE_NM = 1e-10
AXIS_RESERVE_FRACTION = 0.01
"""Strength of the three axis reserves relative to the one along the demand."""
SMALLEST_STEP = 1e-3
FAST_ITERATIONS = 10
"""Achievable demands converge in at most 8 iterations (checked over 9,400 instants)."""
MAX_ITERATIONS = 40
CONTINUATION_START_NM = 1.0
CONTINUATION_FACTOR = 0.01
"""Reserve strengths for unmet demands: from 1 N m down to the final one, 100x per stage."""


class Sharing(NamedTuple):
    """Static optimisation result for ``n`` instants and ``m`` muscles."""

    activation: np.ndarray        # (n, m), 0..1
    unmet_moment_Nm: np.ndarray   # (n, 3) demand minus what the muscles produce
    iterations: int               # Newton iterations used, all continuation stages
    converged: bool


def _dual_value(lam, demand, strength_matrix, reserves):
    u = np.einsum("njm,nj->nm", strength_matrix, lam)
    inside = np.clip(u, 0.0, 1.0)
    # min over 0 <= a <= 1 of a^2/2 - u a, in closed form, plus the reserves' part.
    return ((0.5 * inside**2 - u * inside).sum(axis=1) + np.einsum("nj,nj->n", lam, demand)
            - 0.5 * np.einsum("nj,njk,nk->n", lam, reserves, lam))


def _armijo_step_size(strength_matrix, demand, reserves, lam, step, gradient, value):
    """Backtracking (Armijo) step on the concave dual; the full step is accepted almost always.

    Gains below the rounding of the dual value count as no loss. Where even a step of
    ``SMALLEST_STEP`` does not gain, the step is 0 (the instant needs the continuation).
    Returns the step sizes and the dual values there.
    """
    slope = np.einsum("nj,nj->n", gradient, step)
    noise = 1e-13 * (1.0 + np.abs(value))
    size = np.ones(len(lam))
    while True:
        trial = lam + size[:, None] * step
        trial_value = _dual_value(trial, demand, strength_matrix, reserves)
        ok = trial_value - value >= 1e-4 * size * slope - noise
        if ok.all() or (size[~ok] < SMALLEST_STEP).all():
            return np.where(ok, size, 0.0), np.where(ok, trial_value, value)
        size = np.where(ok, size, 0.5 * size)


def _exact_step_size(strength_matrix, demand, reserves, lam, u, step):
    """Step size that maximises the concave, piecewise quadratic dual along ``step``.

    Along ``lam + t step`` the dual's slope is piecewise linear in ``t`` and decreasing, with
    kinks where an activation reaches a bound; the maximiser is where it crosses zero.
    """
    w = np.einsum("njm,nj->nm", strength_matrix, step)
    curvature = np.einsum("nj,njk,nk->n", step, reserves, step)
    offset = np.einsum("nj,nj->n", step, demand) - np.einsum("nj,njk,nk->n", step, reserves, lam)

    def slope(t):  # t: (n, p) -> (n, p)
        active = np.clip(u[:, None, :] + t[..., None] * w[:, None, :], 0.0, 1.0)
        return offset[:, None] - np.einsum("nm,npm->np", w, active) - t * curvature[:, None]

    full = slope(np.ones((len(u), 1)))[:, 0] >= 0.0
    if full.all():
        return np.ones(len(u))
    with np.errstate(divide="ignore", invalid="ignore"):
        kinks = np.concatenate([-u / w, (1.0 - u) / w], axis=1)
    kinks = np.where(np.isfinite(kinks) & (kinks > 0.0), kinks, np.inf)
    kinks = np.sort(np.concatenate([np.zeros((len(u), 1)), kinks], axis=1), axis=1)
    finite = np.isfinite(kinks)
    values = slope(np.where(finite, kinks, 0.0))
    values = np.where(finite, values, -np.inf)
    # Last kink with a positive slope, then the exact zero on the linear piece after it.
    last = np.maximum((values > 0.0).sum(axis=1) - 1, 0)
    start = np.take_along_axis(kinks, last[:, None], axis=1)[:, 0]
    start_slope = np.take_along_axis(values, last[:, None], axis=1)[:, 0]
    # Slope of the slope on that piece: the activations strictly inside their bounds there.
    probe = np.clip(u + (start + 1e-12 * (1.0 + start))[:, None] * w, 0.0, 1.0)
    inside = (probe > 0.0) & (probe < 1.0)
    decline = (w**2 * inside).sum(axis=1) + curvature
    size = start + np.divide(np.maximum(start_slope, 0.0), decline,
                             out=np.zeros_like(start), where=decline > 0.0)
    return np.where(full | ~np.isfinite(size), 1.0, size)


def reserve_gram(demand_Nm, reserve_moment_Nm):
    """``sum_c R_c R_c^T`` of the reserve actuators, shape ``(n, 3, 3)`` (N m)^2.

    One reserve of strength ``R1`` along the demand and three of ``R1 / 100`` about the axes.
    """
    demand = np.asarray(demand_Nm, dtype=float)
    size = np.sqrt((demand**2).sum(axis=-1, keepdims=True))
    direction = np.divide(demand, size, out=np.zeros_like(demand), where=size > 0.0)
    along = reserve_moment_Nm**2 * np.einsum("nj,nk->njk", direction, direction)
    return along + (AXIS_RESERVE_FRACTION * reserve_moment_Nm) ** 2 * np.eye(3)


def share_load(moment_per_activation_Nm, demand_Nm, reserve_moment_Nm=None) -> Sharing:
    """Muscle activations that meet the demand with the least sum of squared activations.

    Parameters
    ----------
    moment_per_activation_Nm : array_like
        Shape ``(n, 3, m)``: moment of each muscle about flexion, adduction, rotation at full
        activation (moment arm x available maximum force, N m).
    demand_Nm : array_like
        Shape ``(n, 3)``: net moments to produce (N m).
    reserve_moment_Nm : float, optional
        Strength of the reserve actuator along the demand (N m); default from
        ``data/model_constants.csv``.

    Returns
    -------
    Sharing
        Activations ``(n, m)`` within 0..1 and the unmet moment ``(n, 3)`` (N m): zero to
        within 1e-9 N m wherever the demand is achievable, else the part of the demand the
        muscles cannot produce at the closest achievable point along the demand.
    """
    strength_matrix = np.asarray(moment_per_activation_Nm, dtype=float)
    demand = np.asarray(demand_Nm, dtype=float)
    reserve = model_constant("reserve_moment_Nm") if reserve_moment_Nm is None else float(
        reserve_moment_Nm)
    reserves = reserve_gram(demand, reserve)
    lam = _least_norm_multipliers(strength_matrix, demand, reserves)
    lam, iterations, done = _newton(strength_matrix, demand, reserves, lam, FAST_ITERATIONS)
    if not done.all():
        # Where the demand cannot be met the multipliers grow like 1/R^2. Reaching them by
        # continuation on the reserve strength keeps each Newton solve short and well
        # conditioned.
        hard = ~done
        matrix, target = strength_matrix[hard], demand[hard]
        stages = int(np.ceil(np.log(reserve / CONTINUATION_START_NM)
                             / np.log(CONTINUATION_FACTOR)))
        strengths = CONTINUATION_START_NM * CONTINUATION_FACTOR ** np.arange(stages)
        strengths = np.append(strengths[strengths > reserve * 1.0001], reserve)
        lam_hard = _least_norm_multipliers(matrix, target, reserve_gram(target, strengths[0]))
        for strength in strengths:
            lam_hard, used, done_hard = _newton(matrix, target, reserve_gram(target, strength),
                                                lam_hard, MAX_ITERATIONS, exact_line_search=True)
            iterations += used
        lam[hard] = lam_hard
        done[hard] = done_hard
    activation = np.clip(np.einsum("njm,nj->nm", strength_matrix, lam), 0.0, 1.0)
    unmet = demand - np.einsum("njm,nm->nj", strength_matrix, activation)
    return Sharing(activation, unmet, iterations, bool(done.all()))


def _least_norm_multipliers(strength_matrix, demand, reserves):
    # The unbounded least-norm solution a = B^T lam: a good start.
    gram = np.einsum("njm,nkm->njk", strength_matrix, strength_matrix) + reserves
    return np.linalg.solve(gram, demand[..., None])[..., 0]


def _newton(strength_matrix, demand, reserves, lam, max_iterations, exact_line_search=False):
    """Semi-smooth Newton on the dual from ``lam``, all instants at once.

    Backtracking is cheaper and enough where the demand can be met; the exact line search
    is steadier on the way to the huge multipliers of an unmet demand.

    Returns the multipliers, the iterations used and which instants converged.
    """
    lam = lam.copy()
    done = np.zeros(len(lam), dtype=bool)
    stuck = np.zeros(len(lam), dtype=bool)
    value = None if exact_line_search else _dual_value(lam, demand, strength_matrix, reserves)
    previous_pattern = full_step = None
    for iteration in range(max_iterations + 1):
        u = np.einsum("njm,nj->nm", strength_matrix, lam)
        below, above = u <= 0.0, u >= 1.0
        activation = np.clip(u, 0.0, 1.0)
        gradient = demand - np.einsum("njm,nm->nj", strength_matrix, activation) - np.einsum(
            "njk,nk->nj", reserves, lam)
        pattern = np.concatenate([below, above], axis=1)
        # Absolute tolerance, widened by the rounding of the reserve term where the multipliers
        # are huge (unmet demand).
        reserve_moment = np.einsum("njk,nk->nj", reserves, lam)
        done |= ~stuck & (np.abs(gradient).max(axis=1) <= TOLERANCE_NM + 1e-12 * np.abs(
            reserve_moment).max(axis=1))
        if previous_pattern is not None:
            # On a fixed pattern of bounds the dual is quadratic: a full Newton step that keeps
            # the pattern has landed on the optimum (up to rounding).
            done |= full_step & ~stuck & (pattern == previous_pattern).all(axis=1)
        if (done | stuck).all() or iteration == max_iterations:
            return lam, iteration, done
        free = (~below & ~above).astype(float)
        hessian = np.einsum("njm,nm,nkm->njk", strength_matrix, free, strength_matrix)
        step = np.linalg.solve(hessian + reserves, gradient[..., None])[..., 0]
        step[done | stuck] = 0.0
        if exact_line_search:
            size = _exact_step_size(strength_matrix, demand, reserves, lam, u, step)
        else:
            size, value = _armijo_step_size(strength_matrix, demand, reserves, lam, step,
                                            gradient, value)
            stuck |= (size == 0.0) & ~done
        lam = lam + size[:, None] * step
        # Near the solution, rounding of huge multipliers can shorten a full step a little.
        previous_pattern, full_step = pattern, np.abs(size - 1.0) < 1e-6
    return lam, max_iterations, done


def share_load_slsqp(moment_per_activation_Nm, demand_Nm) -> np.ndarray:
    """The same problem solved instant by instant with scipy's general-purpose SLSQP.

    A reference for tests and benchmarks (needs scipy, a test dependency); no reserve
    actuators, so it only applies where the demand is achievable.

    Parameters
    ----------
    moment_per_activation_Nm : array_like
        Shape ``(n, 3, m)`` (N m).
    demand_Nm : array_like
        Shape ``(n, 3)`` (N m).

    Returns
    -------
    numpy.ndarray
        Activations ``(n, m)``.

    Raises
    ------
    RuntimeError
        If SLSQP reports a failure at any instant.
    """
    from scipy.optimize import minimize

    strength_matrix = np.asarray(moment_per_activation_Nm, dtype=float)
    demand = np.asarray(demand_Nm, dtype=float)
    m = strength_matrix.shape[2]
    activations = np.zeros((len(demand), m))
    for i, (matrix, target) in enumerate(zip(strength_matrix, demand, strict=True)):
        solution = minimize(
            lambda a: 0.5 * a @ a, np.full(m, 0.1), jac=lambda a: a, method="SLSQP",
            bounds=[(0.0, 1.0)] * m,
            constraints={"type": "eq", "fun": lambda a, b=matrix, d=target: b @ a - d,
                         "jac": lambda a, b=matrix: b},
            options={"ftol": 1e-12, "maxiter": 500})
        if not solution.success:
            raise RuntimeError(f"SLSQP failed at instant {i}: {solution.message}")
        activations[i] = solution.x
    return activations
