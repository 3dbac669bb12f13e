"""Which language a visitor reads: the link's ``?lang=``, else the browser's, else the server's.

Pure functions of what a request carries, so that they can be tested without a server. The
browser states its preferences in the ``Accept-Language`` header (RFC 9110, section 12.5.4),
e.g. ``es-ES,es;q=0.9,en;q=0.8``; Voila hands that header to the kernel as the environment-like
key ``HTTP_ACCEPT_LANGUAGE`` (``VoilaConfiguration.http_header_envs``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

FALLBACK = "en"
DEFAULT_LANGUAGE_VARIABLE = "DGS_DEFAULT_LANG"  # set by ``deepgluteal serve --lang``
ACCEPT_LANGUAGE_KEY = "HTTP_ACCEPT_LANGUAGE"
_RANGE = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")
_MAX_HEADER = 1000  # characters read of a header; a real one is a few dozen


def _supported() -> tuple[str, ...]:
    from deepgluteal.text import LANGUAGES

    return tuple(LANGUAGES)


def browser_languages(accept_language: str | None) -> list[str]:
    """Primary language tags of an ``Accept-Language`` header, most preferred first.

    ``"es-ES,es;q=0.9,en;q=0.8"`` gives ``["es", "en"]``. Ranges with q=0 (not acceptable) and
    malformed parts are left out; equal weights keep the header's order; ``*`` stays ``"*"``.
    """
    weighted = []
    for position, part in enumerate((accept_language or "")[:_MAX_HEADER].split(",")):
        match = _RANGE.match(part)
        if not match:
            continue
        tag, weight = match.groups()
        try:
            quality = 1.0 if weight is None else float(weight)
        except ValueError:
            continue
        if not 0.0 < quality <= 1.0:
            continue
        weighted.append((-quality, position, tag.split("-")[0].lower()))
    ordered = []
    for _, _, primary in sorted(weighted):
        if primary not in ordered:
            ordered.append(primary)
    return ordered


def default_language(environ: Mapping[str, str] = os.environ,
                     supported: Iterable[str] | None = None) -> str:
    """The server's default language: ``DGS_DEFAULT_LANG`` when supported, else English."""
    supported = tuple(supported or _supported())
    wanted = environ.get(DEFAULT_LANGUAGE_VARIABLE, "").strip().lower()
    return wanted if wanted in supported else FALLBACK


def choose_language(query_lang: str | None, accept_language: str | None,
                    default: str = FALLBACK, supported: Iterable[str] | None = None) -> str:
    """The language to show.

    Parameters
    ----------
    query_lang : str or None
        The link's ``lang`` parameter, if any; it wins when supported.
    accept_language : str or None
        The browser's ``Accept-Language`` header; its most preferred supported language is
        next (``*`` means any, i.e. ``default``).
    default : str
        The server's default (``deepgluteal serve --lang``), used when neither chooses.
    supported : iterable of str, optional
        Language codes with a catalogue (default: :data:`deepgluteal.text.LANGUAGES`).
    """
    supported = tuple(supported or _supported())
    if query_lang in supported:
        return query_lang
    for primary in browser_languages(accept_language):
        if primary == "*":
            break
        if primary in supported:
            return primary
    return default if default in supported else FALLBACK
