"""Everything the source text says is present and findable in the rendered product.

The checklist is :data:`deepgluteal.text.SOURCE_POINTS`: each point of
``shared/seed/deep-gluteal-syndrome.txt`` and the catalogue keys that carry it. Each is looked
for in what a user actually sees: the dashboard's page text in Chromium (red flags always on
screen, the knowledge page one click away) and the executed teaching notebooks' cells and
outputs.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from deepgluteal import text

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def normalise(value: str) -> str:
    value = html.unescape(re.sub(r"<[^>]+>", " ", value))
    return " ".join(value.split()).lower()


def checklist(lang="en"):
    """(point, phrase) pairs: every paragraph of every key of every point."""
    pairs = []
    for point, keys in text.SOURCE_POINTS.items():
        for key in keys:
            value = text.catalogue(lang)[key]
            for paragraph in ([value] if isinstance(value, str) else value):
                pairs.append((point, normalise(paragraph)))
    return pairs


def missing_from(page_text: str, lang="en"):
    seen = normalise(page_text)
    return [(point, phrase[:80]) for point, phrase in checklist(lang) if phrase not in seen]


@pytest.mark.browser
@pytest.mark.parametrize("lang", text.LANGUAGES)
def test_dashboard_shows_every_point_of_the_source_text(browser, voila_server, lang):
    from conftest import open_dashboard

    page, context = open_dashboard(browser, voila_server, f"?lang={lang}")
    try:
        # Wait for the fact (the page in the link's language), not for a time.
        page.wait_for_function(
            "heading => (document.querySelector('.dgs-panel-redflags') || {}).innerText"
            "?.includes(heading)", arg=text.message("red_flags.heading", lang), timeout=30_000)
        flags = page.locator(".dgs-panel-redflags").first.inner_text()
        for sign, action in text.red_flags(lang):
            assert normalise(sign) in normalise(flags) and normalise(action) in normalise(flags)
        page.locator(".dgs-control-page-knowledge").first.click()
        page.wait_for_selector(".dgs-panel-page", state="visible", timeout=15_000)
        assert missing_from(page.locator("body").inner_text(), lang) == []
        page.locator(".dgs-control-close-page").first.click()
        page.wait_for_selector(".dgs-panel-page", state="hidden", timeout=15_000)
        page.locator(".dgs-control-page-about").first.click()
        page.wait_for_selector(".dgs-panel-page", state="visible", timeout=15_000)
        about = normalise(page.locator(".dgs-panel-page").first.inner_text())
        for heading, paragraphs in text.sections("about", lang):
            assert normalise(heading) in about
            assert all(normalise(p) in about for p in paragraphs)
    finally:
        context.close()


@pytest.mark.notebook
def test_teaching_notebooks_carry_every_point_of_the_source_text():
    seen = []
    for path in sorted(NOTEBOOKS.glob("0*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
        for cell in notebook.cells:
            seen.append(cell.source)
            for output in cell.get("outputs", []):
                for mime in ("text/html", "text/markdown", "text/plain"):
                    seen.append(str(output.get("data", {}).get(mime, "")))
                seen.append(str(output.get("text", "")))
        red_flags = normalise("\n".join(seen[-200:]) + "\n".join(seen))
        # Every red flag (issue #11): the source text's three and the standard ones.
        for sign, _action in text.all_red_flags("en"):
            assert normalise(sign) in red_flags, f"{path.name} lacks a red flag"
    assert missing_from("\n".join(seen)) == []
