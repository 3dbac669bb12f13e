"""One screenshot of the dashboard per layout, for the README: ``make screenshots``.

Writes ``docs/screenshots/<layout>.png`` (the window as a person sees it on opening a link
to the weak-gluteals-with-valgus state) and ``projector_mode_1024x768.png``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # tests/ helpers, the harness

from browser import settle  # noqa: E402
from layouts import LAYOUTS, open_layout  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from harness import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402
from harness.servers import VoilaProcess  # noqa: E402

OUT = HERE.parent / "docs" / "screenshots"
STATE = "?preset=weak_glutes_valgus"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    server = VoilaProcess(log_dir=os.environ.get("TMPDIR", "/tmp"))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=list(CHROMIUM_FLAGS))
            shots = [(layout, STATE, layout.name) for layout in LAYOUTS]
            projector = next(layout for layout in LAYOUTS if layout.name.startswith("projector"))
            shots.append((projector, STATE + "&display=projector", "projector_mode_1024x768"))
            for layout, query, name in shots:
                page, context = open_layout(browser, server, layout, query=query)
                try:
                    if "projector" in query:
                        page.wait_for_function("() => document.querySelector('.dgs-dashboard')"
                                               ".classList.contains('dgs-projector')")
                    settle(page, quiet_ms=800)
                    path = OUT / f"{name}.png"
                    page.screenshot(path=path)
                    print(path.relative_to(HERE.parent))
                finally:
                    context.close()
            browser.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
