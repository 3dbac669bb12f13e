"""The link to a state: what a shared link, the handout's QR code and "Copy link" carry.

A state's link is the dashboard's public address with the state in its query string,
``<public address>?valgus=12&glute_med=50&lang=es`` (the controls of
:data:`deepgluteal.controls.TABLE`, which :func:`deepgluteal.controls.parse_link` reads back).
Only what differs from the first view is written, and the language always, so that the code
stays small enough to scan easily.

The public address is the setting ``DGS_PUBLIC_URL`` in the server's environment (``deepgluteal
serve --public-url`` sets it): the address patients and students reach the server at, e.g.
``https://clinic.example.org/dgs/``. Without it the handout carries no link (a 127.0.0.1 address
is useless on a patient's phone), and "Copy link" uses the page's own address.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

import numpy as np

from deepgluteal import controls

PUBLIC_URL_ENV = "DGS_PUBLIC_URL"

# The first view's values: a link leaves these out.
DEFAULTS = {**controls.first_view(), "mode": controls.CONTROLS["mode"].default}


def public_url(environ: Mapping[str, str] = os.environ) -> str | None:
    """The dashboard's public address from ``DGS_PUBLIC_URL``, or None when it is unset.

    Raises
    ------
    ValueError
        If it is set but not an ``http://`` or ``https://`` address with a host.
    """
    raw = environ.get(PUBLIC_URL_ENV, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
            or parts.fragment:
        raise ValueError(f"{PUBLIC_URL_ENV} must be an http:// or https:// address of the "
                         f"dashboard without ?query or #fragment (got {raw!r})")
    return raw


def state_query(values: Mapping[str, object], lang: str, mode: str = "patient") -> str:
    """The query string of a state: the controls' values that differ from the first view,
    the mode when it is not the patient's, and the language.

    Parameters
    ----------
    values : mapping
        Control values as the dashboard holds them: ``valgus`` (deg), ``glute_med`` and
        ``glute_max`` (% of normal), ``stance`` (% of stance), ``task``, ``variant``,
        ``compensation`` (bool).
    lang, mode : str
        The page's language and text mode.
    """
    state = {**values, "mode": mode}
    params = []
    for name in DEFAULTS:
        value = state[name]
        if controls.CONTROLS[name].over_time and not controls.has_time_course(state["task"]):
            continue
        if value != DEFAULTS[name]:
            params.append((name, controls.link_value(name, value)))
    params.append(("lang", lang))
    return urlencode(params)


def state_link(base: str, query: str) -> str:
    """``base`` with ``query`` as its query string."""
    return f"{base}?{query}" if query else base


def qr_modules(link: str) -> np.ndarray:
    """The QR code of ``link`` as a boolean array (True = dark module), with its quiet zone.

    Error correction level M (15 % of the code may be damaged or dirty and it still reads),
    the smallest version that holds the link (segno).
    """
    import segno

    code = segno.make_qr(link, error="m", boost_error=False)
    return np.array([[bool(module) for module in row]
                     for row in code.matrix_iter(scale=1, border=4)], dtype=bool)


def copy_slot_html(base: str | None, query: str, copied_label: str) -> str:
    """What the page's "Copy link" reads (``dgs.js``): the public address (empty: the page's
    own address), the state's query string, and the words shown with the copied link."""
    import html

    return (f'<span class="dgs-link" data-base="{html.escape(base or "", quote=True)}" '
            f'data-query="{html.escape(query, quote=True)}" '
            f'data-copied="{html.escape(copied_label, quote=True)}"></span>'
            '<span class="dgs-link-text" aria-live="polite"></span>')
