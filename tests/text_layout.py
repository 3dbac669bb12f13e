"""No text on top of text, none cut off: checks on matplotlib figures and on web pages."""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

# Boxes may touch (a line's descent meets the next line's ascent): overlaps smaller than this,
# in pixels along both axes, are not counted.
TOUCH_PX = 1.5


def _visible_texts(figure):
    hidden_ticks = set()
    for ax in figure.axes:
        for axis, on in ((ax.xaxis, ax.axison), (ax.yaxis, ax.axison)):
            if not on or not axis.get_visible():
                hidden_ticks.update(map(id, axis.get_ticklabels(which="both")))
                hidden_ticks.add(id(axis.label))
    for text in figure.findobj(Text):
        if id(text) in hidden_ticks:
            continue
        if not text.get_text().strip() or not text.get_visible():
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        if any(not parent.get_visible() for parent in _parents(text)):
            continue
        yield text


def _parents(text):
    parent = getattr(text, "figure", None)
    return [parent] if parent is not None else []


def figure_text_problems(figure) -> list[str]:
    """Texts of a drawn figure that overlap another text or reach past the figure's edge."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(
        figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    width, height = canvas.get_width_height(physical=True)
    boxes = []
    problems = []
    for text in _visible_texts(figure):
        box = text.get_window_extent(renderer)
        label = repr(text.get_text()[:40])
        if box.x0 < -TOUCH_PX or box.y0 < -TOUCH_PX or box.x1 > width + TOUCH_PX or \
                box.y1 > height + TOUCH_PX:
            problems.append(f"{label} is cut off by the edge ({box.bounds} in {width}x{height})")
        boxes.append((label, box))
    for i, (label_a, a) in enumerate(boxes):
        for label_b, b in boxes[i + 1:]:
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > TOUCH_PX and dy > TOUCH_PX:
                problems.append(f"{label_a} overlaps {label_b}")
    return problems


# In the browser: every element that shows text, its box, and whether an ancestor clips it.
PAGE_TEXT_PROBLEMS_JS = r"""
() => {
  const problems = [];
  const visible = (el) => {
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false;
      if (e.classList.contains('dgs-sr-only')) return false;
    }
    return true;
  };
  // Leaves of text: the smallest elements that hold text themselves.
  const leaves = [];
  const walker = document.createTreeWalker(document.querySelector('.dgs-dashboard'),
                                           NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (seen.has(el) || !visible(el)) continue;
    seen.add(el);
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      leaves.push({el, r, text: node.textContent.trim().slice(0, 40)});
    }
  }
  const fixed = (el) => { for (let e = el; e; e = e.parentElement) {
      if (getComputedStyle(e).position === 'fixed') return e; } return null; };
  const scrolledAway = new Set();
  // Clipped: a text box reaches past an ancestor that hides its overflow (and does not scroll).
  for (const {el, r, text} of leaves) {
    // Cut by its own box: a button's label ends in "..." (text-overflow) or just stops.
    const own = getComputedStyle(el);
    if ((own.overflowX === 'hidden' || own.overflowX === 'clip') &&
        el.scrollWidth > el.clientWidth + 1) {
      problems.push(`clipped: "${text}" cut by own box ${el.className.toString().slice(0, 50)}`);
    }
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.position === 'fixed') break;  // a fixed panel escapes its ancestors' clipping
      // Inside a box that scrolls, text below or beside the box is reached by scrolling it.
      if (['auto', 'scroll'].includes(s.overflowY) || ['auto', 'scroll'].includes(s.overflowX)) {
        if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1) {
          const b = e.getBoundingClientRect();
          // scrolled out of its box: not shown now, so it covers nothing
          if (r.bottom <= b.top + 1 || r.top >= b.bottom - 1) scrolledAway.add(r);
          break;
        }
      }
      const clipsX = s.overflowX === 'hidden' || s.overflowX === 'clip';
      const clipsY = s.overflowY === 'hidden' || s.overflowY === 'clip';
      if (!clipsX && !clipsY) continue;
      const b = e.getBoundingClientRect();
      if ((clipsX && (r.left < b.left - 1 || r.right > b.right + 1)) ||
          (clipsY && (r.top < b.top - 1 || r.bottom > b.bottom + 1))) {
        problems.push(`clipped: "${text}" in ${e.className.toString().slice(0, 60)}`);
        break;
      }
    }
    if (r.right > window.innerWidth + 1 || r.left < -1) {
      problems.push(`off screen: "${text}" at x ${Math.round(r.left)}-${Math.round(r.right)}`);
    }
  }
  // Overlap: two text boxes of different elements that cover each other, except where one is
  // in a fixed panel (the red flags, an open page) that the page is meant to scroll under.
  for (let i = 0; i < leaves.length; i++) {
    for (let j = i + 1; j < leaves.length; j++) {
      const a = leaves[i], b = leaves[j];
      if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
      if (scrolledAway.has(a.r) || scrolledAway.has(b.r)) continue;
      if (fixed(a.el) !== fixed(b.el)) continue;
      const dx = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const dy = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (dx > 2 && dy > 2) problems.push(`overlap: "${a.text}" and "${b.text}"`);
    }
  }
  return problems;
}
"""
