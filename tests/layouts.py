"""The screens the dashboard is made for, shared by the layout tests and `make screenshots`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    name: str
    width: int
    height: int
    touch: bool  # a touch screen (tablet, phone): Playwright's has_touch and is_mobile
    narrow: bool = False  # the controls fold into a drawer above the views (below 900 px)
    flags_folded: bool = False  # the red flags show one line, the list one tap away (< 600 px)


LAYOUTS = (
    Layout("desktop_1920x1080", 1920, 1080, touch=False),
    Layout("laptop_1280x720", 1280, 720, touch=False),
    Layout("projector_1024x768", 1024, 768, touch=False),
    Layout("tablet_landscape_1180x820", 1180, 820, touch=True),
    Layout("tablet_portrait_820x1180", 820, 1180, touch=True, narrow=True),
    Layout("phone_390x844", 390, 844, touch=True, narrow=True, flags_folded=True),
)


def open_layout(browser, server, layout: Layout, query: str = "", pixel_ratio: int = 1):
    """A fresh tab on the dashboard in ``layout``, waited until its figures are drawn."""
    from conftest import PageWatch, wait_until_drawn

    context = browser.new_context(
        viewport={"width": layout.width, "height": layout.height},
        device_scale_factor=pixel_ratio, has_touch=layout.touch, is_mobile=layout.touch,
        accept_downloads=True)
    page = context.new_page()
    page.watch = PageWatch(page, server.url)
    page.goto(server.url + query, wait_until="domcontentloaded", timeout=120_000)
    wait_until_drawn(page)
    return page, context
