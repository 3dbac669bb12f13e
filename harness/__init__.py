"""Test and benchmark clients of the dashboard's server: not part of the package, not in the wheel.

- :mod:`harness.servers`: a Voila server (``deepgluteal serve``) on a free port, and the
  processes it runs (:func:`kernel_pid`, :func:`rss_mb`);
- :mod:`harness.hub`: JupyterHub with ``make hub``'s settings, and a student signing in to it;
- :mod:`harness.viewers`: a viewer without a browser, which takes a kernel by loading the page
  and speaks the Jupyter kernel protocol over its websocket, as a page (or a crafty client) does.

``tests/`` import it from the repository root (``pythonpath`` in pyproject.toml), the
benchmarks through ``benchmarks/harness_path.py``.
"""

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
DASHBOARD_NOTEBOOK = "notebooks/dashboard.ipynb"
# Debian's Chromium, which the browser tests and benchmarks drive (`make chromium` installs it).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
