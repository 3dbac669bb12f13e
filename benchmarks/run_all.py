"""Run every benchmark in this folder (``bench_*.py``), one after the other.

Each benchmark prints a small table and writes ``benchmarks/results/<name>.json``.
Usage: ``make bench`` or ``python benchmarks/run_all.py [name ...]``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [script for script in scripts if script.stem.removeprefix("bench_") in argv]
    failures = 0
    for script in scripts:
        print(f"== {script.stem}", flush=True)
        failures += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
