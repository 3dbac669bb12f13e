"""``deepgluteal serve``: the dashboard under Voila with the project's hardened settings.

One source of the settings: ``server/voila.json`` inside this package (read-only, no
tracebacks, preheated kernels, culling, a kernel cap, the offline ``dgs`` template). Voila is
pointed at that folder alone (``--Voila.config_file_paths``), so neither a ``voila.json`` in the
current folder nor one in a user's Jupyter configuration can weaken them; options given on the
command line override single settings.

For other launchers (a JupyterHub image, a test): :func:`voila_config` returns the settings as
a dict, :func:`voila_argv` the Voila command line ``deepgluteal serve`` runs, and
:func:`serve_environment` the variables it sets for the kernels.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import socket
from pathlib import Path
from urllib.parse import urlsplit

from deepgluteal.language import DEFAULT_LANGUAGE_VARIABLE, FALLBACK

_PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG_DIR = _PACKAGE_DIR / "server"
PUBLIC_URL_VARIABLE = "DGS_PUBLIC_URL"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8866
MAX_VIEWERS_RANGE = (1, 1000)
PORT_RANGE = (1, 65535)
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
_BASE_URL = re.compile(r"^/(?:[A-Za-z0-9._~-]+/)*$")


def dashboard_notebook() -> Path:
    """The dashboard notebook: the wheel's copy, else the repository's (editable install)."""
    packaged = _PACKAGE_DIR / "notebooks" / "dashboard.ipynb"
    if packaged.is_file():
        return packaged
    return _PACKAGE_DIR.parent.parent / "notebooks" / "dashboard.ipynb"


def voila_config() -> dict:
    """The dashboard server's Voila settings (a fresh copy of ``server/voila.json``)."""
    return json.loads((CONFIG_DIR / "voila.json").read_text(encoding="utf-8"))


def pool_size() -> int:
    """Kernels kept preheated, waiting for the next visitor."""
    return int(voila_config()["VoilaConfiguration"]["default_pool_size"])


def default_max_viewers() -> int:
    """Viewers at once by default: the kernel cap less the preheated pool."""
    return int(voila_config()["CappedKernelManager"]["max_kernels"]) - pool_size()


def voila_argv(notebook: str | os.PathLike | None = None, host: str = DEFAULT_HOST,
               port: int = DEFAULT_PORT, max_viewers: int | None = None,
               base_url: str = "/") -> list[str]:
    """Arguments for ``voila`` (``python -m voila``) that serve ``notebook`` (default: the
    dashboard) with the hardened settings; append more ``--Class.trait=value`` to override."""
    argv = [str(notebook or dashboard_notebook()), f"--Voila.config_file_paths={CONFIG_DIR}",
            f"--Voila.ip={host}", f"--Voila.port={port}", "--no-browser"]
    if max_viewers is not None:
        argv.append(f"--CappedKernelManager.max_kernels={max_viewers + pool_size()}")
    if base_url != "/":
        argv.append(f"--Voila.base_url={base_url}")
    return argv


def serve_environment(lang: str | None = None, public_url: str | None = None) -> dict:
    """Environment variables for the server, which its kernels inherit: the default language
    (``DGS_DEFAULT_LANG``) and the address visitors reach the dashboard at
    (``DGS_PUBLIC_URL``, for the handout's link)."""
    environment = {}
    if lang:
        environment[DEFAULT_LANGUAGE_VARIABLE] = lang
    if public_url:
        environment[PUBLIC_URL_VARIABLE] = public_url
    return environment


# ----------------------------------------------------------------------------- command line
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the local hub's internal
    addresses; the servers tests and benchmarks start)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _int_in(name: str, low: int, high: int, unit: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number ({unit}) from {low} to {high}; got {text!r}")
        return value
    return parse


def _host(text: str) -> str:
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    if _HOSTNAME.match(text):
        return text
    raise argparse.ArgumentTypeError(
        f"--host must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name "
        f"(letters, digits, '-' and '.'); got {text!r}")


def _base_url(text: str) -> str:
    value = text if text.endswith("/") else text + "/"
    if not _BASE_URL.match(value):
        raise argparse.ArgumentTypeError(
            f"--base-url must be a path that starts with '/', made of letters, digits and "
            f"'._~-' (e.g. /dgs/); got {text!r}")
    return value


def _public_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(
            char.isspace() for char in text):
        raise argparse.ArgumentTypeError(
            f"--public-url must be an http:// or https:// address with a host, e.g. "
            f"https://clinic.example.org/dgs/; got {text!r}")
    return text


def add_serve_command(commands) -> None:
    """Register ``serve`` on the ``deepgluteal`` command line's subparsers."""
    from deepgluteal.text import LANGUAGES

    low, high = MAX_VIEWERS_RANGE
    parser = commands.add_parser(
        "serve",
        help="serve the dashboard in the browser (Voila, read-only)",
        description="Serve the interactive dashboard with Voila and the project's hardened "
                    "settings: read-only (no code runs, no notebook or file is served), no "
                    "tracebacks, one kernel preheated so the first page appears in about a "
                    "second, kernels of closed or vanished pages shut down (culled after 5 "
                    "minutes), a cap on kernels, and a page that fetches nothing from other "
                    "hosts. Every viewer gets a Python kernel of about 140 MB. Stop with Ctrl+C.",
        epilog="Further Voila options after `--` override single settings, e.g. "
               "`deepgluteal serve -- --MappingKernelManager.cull_idle_timeout=600`. "
               "The settings themselves: deepgluteal/server/voila.json in the installed package.")
    parser.add_argument(
        "--host", type=_host, default=DEFAULT_HOST,
        help=f"address to listen on: {DEFAULT_HOST} (default) for this machine only, 0.0.0.0 "
             "for every network interface (then put TLS in front, e.g. nginx)")
    parser.add_argument(
        "--port", type=_int_in("--port", *PORT_RANGE, "a TCP port"), default=DEFAULT_PORT,
        help=f"TCP port, from {PORT_RANGE[0]} to {PORT_RANGE[1]} (default {DEFAULT_PORT})")
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=None,
        help="default language of the page: a link's ?lang= comes first, then the browser's "
             f"preferred languages; this one when neither is one of {', '.join(LANGUAGES)} "
             f"(default {FALLBACK})")
    parser.add_argument(
        "--max-viewers", type=_int_in("--max-viewers", low, high, "pages open at once"),
        default=None, metavar="N",
        help=f"most pages open at once, from {low} to {high}; each holds a kernel of about "
             f"140 MB, plus one kernel preheated; the next visitor gets a friendly 'full, try "
             f"again in a minute' page (default {default_max_viewers()})")
    parser.add_argument(
        "--base-url", type=_base_url, default="/", metavar="PATH",
        help="path prefix the dashboard answers under, e.g. /dgs/ behind a reverse proxy "
             "that forwards that path (default /)")
    parser.add_argument(
        "--public-url", type=_public_url, default=None, metavar="URL",
        help="the address visitors reach the dashboard at, e.g. https://clinic.example.org/dgs/ "
             f"(the handout's link); passed to the kernels as {PUBLIC_URL_VARIABLE}")
    # Serves another notebook with the same settings: for the project's own security tests.
    parser.add_argument("--notebook", default=None, help=argparse.SUPPRESS)
    parser.add_argument("voila_options", nargs="*", metavar="-- VOILA_OPTION",
                        help="further Voila options, after `--`")
    parser.set_defaults(run=run_serve)


def run_serve(args) -> int:
    """Start Voila in this process; returns when the server stops."""
    for option in args.voila_options:
        if not option.startswith("--"):
            raise ValueError(f"Voila options after `--` start with '--'; got {option!r}")
    os.environ.update(serve_environment(args.lang, args.public_url))
    argv = [*voila_argv(args.notebook, host=args.host, port=args.port,
                        max_viewers=args.max_viewers, base_url=args.base_url),
            *args.voila_options]
    from voila.app import Voila

    Voila.launch_instance(argv)
    return 0
