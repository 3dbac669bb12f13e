"""Every notebook runs top to bottom, and none is stored with outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert any(path.name == "dashboard.ipynb" for path in NOTEBOOKS)


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert errors == []
    # A cell's last expression shows a picture, a widget, words or a table, never an object's
    # bare repr (``<deepgluteal.views.posterior.PosteriorView at 0x...>``).
    stray = [output["data"]["text/plain"] for cell in notebook.cells if cell.cell_type == "code"
             for output in cell.get("outputs", [])
             if output.get("output_type") == "execute_result" and set(output["data"]) ==
             {"text/plain"} and output["data"]["text/plain"].startswith("<")]
    assert stray == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.get("outputs", []) == [], f"{path.name} has outputs; strip them"
            assert cell.get("execution_count") is None, f"{path.name} has execution counts"
