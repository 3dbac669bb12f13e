"""Body frames of the hip: where a point fixed in the femur is in the pelvis frame.

Frames and joint follow the OpenSim gait2392 model (right side): x anterior, y superior,
z right; hip flexion about z, then adduction about x, then rotation about y, body-fixed.
Positive angles are flexion, adduction and internal rotation.

References
----------
.. [1] Delp S.L. et al. (1990) An interactive graphics-based model of the lower extremity
   to study orthopaedic surgical procedures. IEEE Trans Biomed Eng 37:757-767.
.. [2] OpenSim gait2392 model, opensim-org/opensim-models,
   Models/Gait2392_Simbody/gait2392_millard2012muscle.osim.
"""

from __future__ import annotations

import numpy as np

from deepgluteal.datafiles import read_json

GEOMETRY_FILE = "gait2392_hip.json"


def hip_centre_in_pelvis_m() -> np.ndarray:
    """Hip joint centre in the pelvis frame (m), shape (3,)."""
    offset = read_json(GEOMETRY_FILE)["hip_joint"]["pelvis_offset"]["translation"]
    return np.asarray(offset, dtype=float)


def femur_to_pelvis_rotation(hip_flexion_deg, hip_adduction_deg, hip_rotation_deg):
    """Rotation matrices taking femur-frame vectors to the pelvis frame.

    ``R = Rz(flexion) @ Rx(adduction) @ Ry(rotation)`` (body-fixed z-x-y, as gait2392).

    Parameters
    ----------
    hip_flexion_deg, hip_adduction_deg, hip_rotation_deg : array_like
        Hip angles (deg), broadcast together; positive = flexion, adduction, internal
        rotation.

    Returns
    -------
    numpy.ndarray
        Shape ``(..., 3, 3)``.
    """
    flex, add, rot = np.broadcast_arrays(
        *(np.radians(np.asarray(a, dtype=float))
          for a in (hip_flexion_deg, hip_adduction_deg, hip_rotation_deg))
    )
    cf, sf = np.cos(flex), np.sin(flex)
    ca, sa = np.cos(add), np.sin(add)
    cr, sr = np.cos(rot), np.sin(rot)
    # Product Rz(f) Rx(a) Ry(r), written out so that it vectorises without Python loops.
    rotation = np.empty(flex.shape + (3, 3))
    rotation[..., 0, 0] = cf * cr - sf * sa * sr
    rotation[..., 0, 1] = -sf * ca
    rotation[..., 0, 2] = cf * sr + sf * sa * cr
    rotation[..., 1, 0] = sf * cr + cf * sa * sr
    rotation[..., 1, 1] = cf * ca
    rotation[..., 1, 2] = sf * sr - cf * sa * cr
    rotation[..., 2, 0] = -ca * sr
    rotation[..., 2, 1] = sa
    rotation[..., 2, 2] = ca * cr
    return rotation


def femur_points_in_pelvis_m(points_femur_m, hip_flexion_deg, hip_adduction_deg,
                             hip_rotation_deg):
    """Femur-fixed points expressed in the pelvis frame.

    Parameters
    ----------
    points_femur_m : array_like
        Points in the femur frame (m), shape ``(m, 3)``.
    hip_flexion_deg, hip_adduction_deg, hip_rotation_deg : array_like
        Hip angles (deg), broadcast to a common shape ``s``.

    Returns
    -------
    numpy.ndarray
        Shape ``s + (m, 3)``, metres in the pelvis frame.
    """
    rotation = femur_to_pelvis_rotation(hip_flexion_deg, hip_adduction_deg, hip_rotation_deg)
    points = np.asarray(points_femur_m, dtype=float)
    return hip_centre_in_pelvis_m() + np.einsum("...ij,mj->...mi", rotation, points)
