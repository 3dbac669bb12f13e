"""The built wheel, installed into a fresh virtual environment outside the checkout, serves the
dashboard with ``deepgluteal serve``, as a clinic's IT person or a student with pip would run it.

Building and installing take under a minute with uv's cache (the first run downloads).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from browser import FIGURES, image_src
from conftest import LOG_DIR, PageWatch

from harness.servers import VoilaProcess

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent


def run(*argv, cwd) -> str:
    done = subprocess.run([str(part) for part in argv], cwd=cwd, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


# uv (a test dependency) builds and installs the same way pip does, from the same wheel and
# its metadata, in seconds rather than minutes; `pip install dist/deepgluteal-*.whl` is what the
# README tells users.
UV = (sys.executable, "-m", "uv")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(*UV, "build", "--quiet", "--wheel", "--out-dir", out, REPO, cwd=out)
    (built,) = out.glob("deepgluteal-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment, outside the checkout, with only the wheel installed."""
    home = tmp_path_factory.mktemp("user")
    assert REPO not in home.parents
    environment = home / "venv"
    run(*UV, "venv", "--quiet", "--python", sys.executable, environment, cwd=home)
    run(*UV, "pip", "install", "--quiet", "--python", environment / "bin" / "python", wheel,
        cwd=home)
    return environment


def test_the_wheel_carries_the_dashboard_its_settings_and_its_template(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "deepgluteal/notebooks/dashboard.ipynb" in names
    assert "deepgluteal/server/voila.json" in names
    assert "deepgluteal/data/references.csv" in names
    assert "deepgluteal/opensim_reference/static_optimization.csv" in names  # notebook 02
    assert not [name for name in names if name.startswith("harness/")]  # the test clients
    template = {name.rsplit("/", 1)[-1] for name in names
                if "/share/jupyter/voila/templates/dgs/" in name}
    assert {"index.html.j2", "conf.json", "dgs.css", "lifecycle.js", "error.html"} <= template
    settings = json.loads(zipfile.ZipFile(wheel).read("deepgluteal/server/voila.json"))
    assert settings["VoilaConfiguration"]["template"] == "dgs"


def test_serve_from_the_installed_wheel_shows_the_dashboard(installed, browser):
    home = installed.parent
    where = run(installed / "bin" / "python", "-c",
                "import deepgluteal.serve as s; print(s.dashboard_notebook())", cwd=home)
    assert Path(where.strip()).is_relative_to(installed), where
    reference = run(installed / "bin" / "python", "-c",
                    "from deepgluteal import reference as r; print(r.opensim_reference_dir(),"
                    " len(r.opensim_deep_rotators_force_N()['healthy']))", cwd=home)
    assert reference.split() == [str(installed / "lib" / f"python{sys.version_info.major}."
                                     f"{sys.version_info.minor}" / "site-packages" /
                                     "deepgluteal" / "opensim_reference"), "51"]
    with VoilaProcess(notebook=None, command=[installed / "bin" / "deepgluteal"], cwd=home,
                      log_dir=LOG_DIR, timeout_s=120) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        try:
            page = context.new_page()
            watch = PageWatch(page, server.url)
            page.goto(server.url, wait_until="domcontentloaded", timeout=120_000)
            for name in FIGURES:
                page.wait_for_function(
                    "s => { const el = document.querySelector(s);"
                    " return el && el.getAttribute('src'); }",
                    arg=f".dgs-figure-{name}", timeout=90_000)
                assert image_src(page, name)
            assert page.locator(".dgs-panel-redflags").first.is_visible()
            assert watch.foreign_requests == []
            assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor").count() == 0
        finally:
            context.close()
        log = server.log()
    assert f"Serving static files from {installed}" in log, "Voila is not the installed one"
    assert str(REPO) not in log, "the installed server used files of the checkout"
