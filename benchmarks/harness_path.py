"""The repository root on ``sys.path``, for benchmarks run as scripts
(``python benchmarks/bench_load.py``): the clients in ``harness/`` are not installed with the
package. Imported for that effect alone, before ``harness``."""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
