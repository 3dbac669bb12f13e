"""The teaching notebooks render with their words in Voila, run as the README says
(``voila notebooks/0X_....ipynb`` from the repository root): title, learning goals, the red
flags, the exercises with their hidden answers, the references, and no error."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import LOG_DIR

from deepgluteal import text
from deepgluteal.serve import free_port
from deepgluteal.serving import TRACEBACK

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
TEACHING = sorted(path.name for path in (REPO / "notebooks").glob("0*.ipynb"))


@pytest.fixture
def voila_teaching(request):
    """``voila notebooks/<name>`` from the repository root, on a free port."""
    name = request.param
    port = free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"voila-teaching-{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "voila", f"notebooks/{name}", f"--port={port}",
             "--no-browser"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                urllib.request.urlopen(url + "voila/static/voila.js", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.parametrize("voila_teaching", TEACHING, indirect=True, ids=TEACHING)
def test_the_notebook_shows_its_words_in_voila(browser, voila_teaching):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(voila_teaching, wait_until="domcontentloaded", timeout=120_000)
        # Voila shows the cells as they run; the references close every notebook's lesson.
        page.get_by_role("heading", name="References").wait_for(timeout=240_000)
        body = page.locator("body").inner_text()
        assert page.get_by_role("heading", name="Learning goals").is_visible()
        assert page.locator("h1").first.is_visible()
        assert text.message("red_flags.heading") in body
        exercises = page.get_by_text("Try this", exact=False)
        assert exercises.count() >= 3
        assert exercises.first.is_visible()
        answers = page.locator("details summary")
        assert answers.count() >= 3 and answers.first.is_visible()
        assert not TRACEBACK.search(body)
        assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert page.locator(".jp-OutputArea-output[data-mime-type*='error']").count() == 0
    finally:
        context.close()
