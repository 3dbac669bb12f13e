"""The link to a state: its address setting, its query string, and the handout's QR code."""

from __future__ import annotations

import io

import numpy as np
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from deepgluteal import link
from deepgluteal.dashboard import Dashboard

PUBLIC = "https://clinic.example.org/dgs/"


def test_the_public_address_comes_from_the_environment():
    assert link.public_url({}) is None
    assert link.public_url({"DGS_PUBLIC_URL": "  "}) is None
    assert link.public_url({"DGS_PUBLIC_URL": PUBLIC}) == PUBLIC
    for bad in ("clinic.example.org", "ftp://x/", "https://x/?a=1", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="DGS_PUBLIC_URL must be an http"):
            link.public_url({"DGS_PUBLIC_URL": bad})


def test_a_link_carries_what_differs_from_the_first_view_and_the_language():
    first = dict(link.DEFAULTS)
    assert link.state_query(first, "en") == "lang=en"
    changed = {**first, "valgus": 12, "glute_med": 50, "task": "sitting", "stance": 64}
    assert link.state_query(changed, "es", "student") == (
        "valgus=12&glute_med=50&task=sitting&mode=student&lang=es")  # stance: not walking
    assert link.state_query({**first, "compensation": True, "stance": 64}, "en") == (
        "stance=64&compensation=1&lang=en")


@pytest.mark.parametrize("changes", [
    {"valgus": 7, "glute_max": 40},
    {"glute_med": 25, "stance": 86, "variant": "D", "compensation": True},
    {"task": "fair", "variant": "F"},
    {},
])
def test_a_shared_link_opens_the_same_state(changes):
    shown = Dashboard()
    for name, value in changes.items():
        getattr(shown, name).value = value
    shown.mode.value = "student"
    shown.language.value = "es"
    opened = Dashboard()
    opened.apply_query_string(shown.state_query())
    assert opened._control_values() == shown._control_values()
    assert (opened.lang, opened.mode.value, opened.notes) == ("es", "student", [])


def _qr_payloads(figure) -> list[str]:
    """The QR codes a phone's camera finds on the page (drawn at 150 dpi)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    figure.set_dpi(150)
    canvas.draw()
    page = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
    return [found.text for found in zxingcpp.read_barcodes(page)]


def test_the_handout_carries_the_link_and_a_qr_code_that_opens_it(monkeypatch):
    from deepgluteal import dashboard as dashboard_module
    from deepgluteal.scene import handout_figure, handout_pdf

    drawn = {}

    def keep_figure(*args, **kwargs):
        drawn["figure"] = handout_figure(*args, **kwargs)
        return handout_pdf(*args, **kwargs)

    monkeypatch.setattr(dashboard_module, "handout_pdf", keep_figure)
    monkeypatch.setenv("DGS_PUBLIC_URL", PUBLIC)
    dashboard = Dashboard()
    dashboard.valgus.value = 12
    dashboard.glute_med.value = 50
    pdf = dashboard.make_handout()
    expected = PUBLIC + "?valgus=12&glute_med=50&lang=en"
    assert _qr_payloads(drawn["figure"]) == [expected]
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    words = "".join(page.extract_text().split())
    assert "Openthispictureagain" in words and expected in words
    qr_sizes = [(image.image.width, image.image.height) for image in page.images
                if image.image.width == image.image.height]
    assert len(qr_sizes) == 1  # the code is in the PDF, not only in the drawing
    opened = Dashboard()
    opened.apply_query_string(expected.split("?", 1)[1])
    assert opened._control_values() == dashboard._control_values()


def test_without_a_public_address_the_handout_says_nothing_of_a_link(monkeypatch):
    monkeypatch.delenv("DGS_PUBLIC_URL", raising=False)
    pdf = Dashboard().make_handout()
    words = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Open this picture again" not in words and "http" not in words
    assert [image for image in PdfReader(io.BytesIO(pdf)).pages[0].images
            if image.image.width == image.image.height] == []


def test_a_bad_public_address_leaves_the_link_out(monkeypatch, caplog):
    monkeypatch.setenv("DGS_PUBLIC_URL", "clinic.example.org")
    pdf = Dashboard().make_handout()
    assert "Open this picture again" not in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "DGS_PUBLIC_URL must be" in caplog.text


def test_copy_link_offers_the_state_and_the_public_address(monkeypatch):
    monkeypatch.setenv("DGS_PUBLIC_URL", PUBLIC)
    dashboard = Dashboard()
    dashboard.valgus.value = 3
    assert f'data-base="{PUBLIC}"' in dashboard.link_slot.value
    assert 'data-query="valgus=3&amp;lang=en"' in dashboard.link_slot.value
