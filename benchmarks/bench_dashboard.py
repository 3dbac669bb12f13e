"""Dashboard speed in a browser: keydown to changed pixels, Play frame rate, first page, memory.

Starts the dashboard under Voila with the project's voila.json, opens it in headless Debian
Chromium and measures:

- ready: navigation start to every view's first picture decoded (a drawn, usable dashboard);
- slider: keydown on the valgus slider to the last of the three views showing its new picture
  (and to the first), over repeated key presses;
- play: pictures per second of the posterior view while Play runs;
- memory: resident memory of the viewer's kernel and of the server.

The dashboard is measured twice: as served (each change has the likely next states drawn while
the kernel idles, so a key press usually only sends pictures) and with ``DGS_DRAW_AHEAD=0``
(every new state drawn when it is asked for, as when a slider is dragged far).

The same measurement runs on two baselines drawing the same posterior figure for the same
slider: a plain ``ipywidgets.interact`` with inline matplotlib (a new figure per change) and an
ipympl canvas updated in place. Results: ``benchmarks/results/dashboard.json``.

The machine is not equally fast every day: its yardstick (:func:`timing.yardstick`, the model on
a whole stance) is measured before and after, so that a day's figures can be read against the
day the budgets were set.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import harness_path  # noqa: F401 - harness/ on sys.path
from playwright.sync_api import sync_playwright
from timing import write_result, yardstick

from harness import CHROMIUM, CHROMIUM_FLAGS
from harness.servers import VoilaProcess, rss_mb

HERE = Path(__file__).resolve().parent

# Runs in the page before its own scripts: timestamps every key press and every new picture of
# an element matching FIGURES (an <img> whose src changed, once decoded, or a <canvas> that an
# image was drawn onto).
INSTRUMENT = r"""
(() => {
  const FIGURES = '[class*="dgs-figure-"]';
  window.__dgsKeys = [];
  window.__dgsFrames = [];
  document.addEventListener('keydown', () => window.__dgsKeys.push(performance.now()), true);
  const seen = new WeakMap();
  function consider(img) {
    const figure = img.closest && img.closest(FIGURES);
    if (!figure || !img.src || seen.get(img) === img.src) return;
    seen.set(img, img.src);
    const name = [...figure.classList].find(c => c.startsWith('dgs-figure-'));
    img.decode().then(() => window.__dgsFrames.push({t: performance.now(), name}))
                .catch(() => {});
  }
  new MutationObserver(records => {
    for (const record of records) {
      if (record.type === 'attributes') {
        if (record.target.tagName === 'IMG') consider(record.target);
        else if (record.target.querySelectorAll)
          record.target.querySelectorAll('img').forEach(consider);
      }
      for (const node of record.addedNodes || []) {
        if (node.nodeType !== 1) continue;
        if (node.tagName === 'IMG') consider(node);
        else node.querySelectorAll && node.querySelectorAll('img').forEach(consider);
      }
    }
  }).observe(document, {subtree: true, childList: true, attributes: true,
                        attributeFilter: ['src', 'class']});  // the class may come after src
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const result = drawImage.apply(this, args);
    const figure = this.canvas && this.canvas.isConnected && this.canvas.closest(FIGURES);
    if (figure) {
      const name = [...figure.classList].find(c => c.startsWith('dgs-figure-'));
      window.__dgsFrames.push({t: performance.now(), name});
    }
    return result;
  };
})();
"""


def percentile(values, fraction):
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values):
    return {"median": round(statistics.median(values), 1),
            "p95": round(percentile(values, 0.95), 1),
            "min": round(min(values), 1), "max": round(max(values), 1), "n": len(values)}


def open_page(browser, url, figures, pixel_ratio=1):
    context = browser.new_context(viewport={"width": 1280, "height": 720},
                                  device_scale_factor=pixel_ratio)
    page = context.new_page()
    page.add_init_script(INSTRUMENT)
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        "names => names.every(n => window.__dgsFrames.some(f => f.name === 'dgs-figure-' + n))",
        arg=list(figures), timeout=120_000, polling=20)
    ready_ms = page.evaluate(
        "names => Math.max(...names.map(n => window.__dgsFrames.find("
        "f => f.name === 'dgs-figure-' + n).t))", list(figures))
    if pixel_ratio != 1:  # the page reports its ratio; wait for the pictures drawn at it
        page.wait_for_function(
            "r => { const img = document.querySelector('.dgs-figure-posterior');"
            " return img && img.naturalWidth === 460 * r; }", arg=pixel_ratio, timeout=60_000)
    return context, page, ready_ms


def slider_latency(page, figures, presses, slider="valgus"):
    """Keydown to first and to last view redrawn, per key press (ms)."""
    page.wait_for_timeout(1500)
    handle = page.locator(f".dgs-control-{slider} .noUi-handle").first
    handle.focus()
    first, last = [], []
    key = "ArrowRight"
    for _ in range(presses):
        value = float(handle.get_attribute("aria-valuenow"))
        if value >= float(handle.get_attribute("aria-valuemax")):
            key = "ArrowLeft"
        elif value <= float(handle.get_attribute("aria-valuemin")):
            key = "ArrowRight"
        count = page.evaluate("window.__dgsKeys.length")
        page.keyboard.press(key)
        page.wait_for_function(
            "([count, names]) => { if (window.__dgsKeys.length <= count) return false;"
            " const k = window.__dgsKeys[count];"
            " return names.every(n => window.__dgsFrames.some("
            "   f => f.t > k && f.name === 'dgs-figure-' + n)); }",
            arg=[count, list(figures)], timeout=20_000, polling="raf")
        page.wait_for_timeout(150)  # let any late frame of this key press arrive
        times = page.evaluate(
            "([count, names]) => { const k = window.__dgsKeys[count];"
            " const frames = window.__dgsFrames.filter(f => f.t > k);"
            " const firsts = names.map(n => frames.find(f => f.name === 'dgs-figure-' + n).t);"
            " return [Math.min(...firsts) - k, Math.max(...firsts) - k]; }",
            [count, list(figures)])
        first.append(times[0])
        last.append(times[1])
        page.wait_for_timeout(250)
    return summary(first), summary(last)


def play_rate(page, seconds=4.0):
    """Pictures per second of the posterior view while Play animates the stance."""
    page.locator(".dgs-control-play button").first.click()
    page.wait_for_timeout(500)
    start = page.evaluate("performance.now()")
    page.wait_for_timeout(seconds * 1000)
    end = page.evaluate("performance.now()")
    frames = page.evaluate(
        "([a, b]) => window.__dgsFrames.filter(f => f.t >= a && f.t <= b"
        " && f.name === 'dgs-figure-posterior').length", [start, end])
    page.locator(".dgs-control-play button").nth(1).click()
    return round(frames / ((end - start) / 1000), 1)


def measure(browser, notebook, figures, presses, loads, with_play, pixel_ratio=1):
    with VoilaProcess(notebook) as server:
        ready = []
        for _ in range(loads):
            context, page, ready_ms = open_page(browser, server.url, figures, pixel_ratio)
            ready.append(ready_ms)
            context.close()
            time.sleep(3)  # the pool refills its preheated kernel
        context, page, ready_ms = open_page(browser, server.url, figures, pixel_ratio)
        ready.append(ready_ms)
        first, last = slider_latency(page, figures, presses)
        result = {"ready_ms": summary(ready), "slider_first_ms": first, "slider_last_ms": last}
        if with_play:
            result["play_frames_per_s"] = play_rate(page)
        kernels = [rss_mb(pid) for pid in server.kernel_pids()]
        result["kernel_rss_mb_max"] = round(max(k for k in kernels if k), 1)
        result["server_rss_mb"] = round(rss_mb(server.pid), 1)
        context.close()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30, help="slider key presses")
    parser.add_argument("--loads", type=int, default=3, help="page loads before the slider run")
    parser.add_argument("--skip-baselines", action="store_true")
    args = parser.parse_args()
    # How fast the machine is today, before and after: the milliseconds below are today's.
    results = {"yardstick_before": yardstick()}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_FLAGS))
        results["dashboard"] = measure(browser, "notebooks/dashboard.ipynb",
                                       ("posterior", "frontal", "loads"), args.presses,
                                       args.loads, with_play=True)
        print(json.dumps(results["dashboard"], indent=1), flush=True)
        # A screen with two device pixels per CSS pixel (tablets, phones, most laptops): the
        # pictures are drawn at twice the width and height (budget: median 60 ms, p95 90 ms).
        results["dashboard_pixel_ratio_2"] = measure(
            browser, "notebooks/dashboard.ipynb", ("posterior", "frontal", "loads"),
            args.presses, 1, with_play=True, pixel_ratio=2)
        print("pixel ratio 2", json.dumps(results["dashboard_pixel_ratio_2"]), flush=True)
        setting = os.environ.get("DGS_DRAW_AHEAD")
        os.environ["DGS_DRAW_AHEAD"] = "0"  # the kernels inherit the server's environment
        try:
            results["dashboard_drawn_on_demand"] = measure(
                browser, "notebooks/dashboard.ipynb", ("posterior", "frontal", "loads"),
                args.presses, 1, with_play=True)
        finally:
            os.environ.pop("DGS_DRAW_AHEAD")
            if setting is not None:
                os.environ["DGS_DRAW_AHEAD"] = setting
        print("drawn on demand", json.dumps(results["dashboard_drawn_on_demand"]), flush=True)
        if not args.skip_baselines:
            for name in ("inline_interact", "ipympl_inplace"):
                try:
                    results[name] = measure(browser, f"benchmarks/baselines/{name}.ipynb",
                                            ("posterior",), args.presses, 1, with_play=False)
                except Exception as error:  # a baseline that cannot be measured is reported
                    results[name] = {"error": str(error).splitlines()[0]}
                print(name, json.dumps(results[name]), flush=True)
        browser.close()
    results["yardstick_after"] = yardstick()
    print("machine: simulate over a whole stance took {} ms before and {} ms after ({} ms on {})"
          .format(results["yardstick_before"]["simulate_whole_stance_51_ms"],
                  results["yardstick_after"]["simulate_whole_stance_51_ms"],
                  results["yardstick_before"]["reference_ms"],
                  results["yardstick_before"]["reference_day"]), flush=True)
    dashboard = results["dashboard"]["slider_last_ms"]["median"]
    for name in ("inline_interact", "ipympl_inplace"):
        if "slider_last_ms" in results.get(name, {}):
            results[name]["ratio_to_dashboard"] = round(
                results[name]["slider_last_ms"]["median"] / dashboard, 2)
    print(json.dumps(results, indent=1))
    write_result("dashboard", results)


if __name__ == "__main__":
    main()
