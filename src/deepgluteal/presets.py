"""Typical presentations as one-click examples (``data/presets.csv``).

Each preset is a set of :class:`~deepgluteal.scenario.Scenario` fields; the values are
illustrative teaching choices with their rationale and source in the table.
"""

from __future__ import annotations

from types import MappingProxyType

from deepgluteal.datafiles import read_csv_columns

PRESET_FILE = "presets.csv"
_FLOAT_FIELDS = ("valgus_deg", "glute_med_strength", "glute_max_strength")


def presets() -> MappingProxyType:
    """Preset name -> read-only mapping of Scenario fields, in the table's order."""
    table = read_csv_columns(PRESET_FILE)
    result = {}
    for row, name in enumerate(table["name"]):
        fields = {field: float(table[field][row]) for field in _FLOAT_FIELDS}
        fields["task"] = table["task"][row]
        fields["abductor_compensation"] = table["abductor_compensation"][row] == "true"
        result[name] = MappingProxyType(fields)
    return MappingProxyType(result)


HEALTHY = "healthy_walking"
"""The preset that Reset returns to."""

DEFAULT_STANCE_PCT = 20
"""The instant of walking stance shown first (%): the leg is taking the body's weight, when
dynamic valgus shows most and the hip abductors have their first peak of work."""
