"""Small timing helpers shared by the benchmarks: medians of repeated runs, JSON results."""

from __future__ import annotations

import json
import platform
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def median_ms(function, repeats: int = 50, warmup: int = 3) -> dict:
    """Median, 95th percentile and minimum wall time of ``function()`` in milliseconds."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 3),
        "min_ms": round(samples[0], 3),
        "repeats": repeats,
    }


def write_result(name: str, result: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    result = {"machine": f"{platform.machine()}, {platform.python_version()}", **result}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


# The machine's yardstick: the host this project runs on is not equally fast every day (on
# 2026-12-02 it ran the same code about 3x slower than on 2026-11-23, with nothing else
# running). The dashboard's budgets were set, and met, on 2026-11-23, when `simulate` over a
# whole stance took this long.
REFERENCE_DAY = "2026-11-23"
REFERENCE_YARDSTICK_MS = 2.8


def yardstick_scenario():
    """The model benchmark's whole stance (51 instants), also the machine's yardstick."""
    from deepgluteal.scenario import Scenario

    return Scenario(valgus_deg=10.0, glute_med_strength=0.5, glute_max_strength=0.7)


def yardstick() -> dict:
    """Today's median of ``simulate`` over :func:`yardstick_scenario`, and how many times
    slower than on :data:`REFERENCE_DAY` that is (1.0 or more means as fast or slower)."""
    from deepgluteal.model import simulate

    stance = yardstick_scenario()
    today = median_ms(lambda: simulate(stance), repeats=100)["median_ms"]
    return {"simulate_whole_stance_51_ms": today, "reference_ms": REFERENCE_YARDSTICK_MS,
            "reference_day": REFERENCE_DAY,
            "slowdown": round(today / REFERENCE_YARDSTICK_MS, 2)}
