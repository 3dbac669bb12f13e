"""The visitor's request (a shared link's query string), whenever the visitor comes.

Voila runs a preheated kernel's notebook before anyone asks for the page (``preheat_kernel`` in
``voila.json``), so the notebook cannot read the link's query string while it runs. When a
visitor later asks for the page, Voila's ``VoilaHandler`` gives the request (``QUERY_STRING``,
``SERVER_NAME``, ``SERVER_PORT``, the HTTP headers listed in ``http_header_envs``) to
``RequestInfoSocketHandler.send_updates``, which writes it as one JSON text message to the
kernel's websocket ``<base>voila/query/<kernel id>`` if the kernel is connected, or keeps it
until the kernel connects (voila 0.5, ``request_info_handler.py``). It writes it once, right
before it sends the page, and that may be seconds or hours after the notebook ran.

Voila's own helper (``voila.utils.wait_for_request``) blocks the cell while it waits, and
importing it pulls the whole Jupyter server into every viewer's kernel (about 50 MB measured).
Here the wait is a task on the kernel's event loop: the notebook finishes, the kernel idles, and the
callback runs the moment the request arrives, before the page's widgets ask for their state.
There is no time limit: a link opened an hour after the kernel started opens its state.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

# After a refused or dropped connection (the server restarting), try again after these many
# seconds, doubling up to the longest.
RETRY_FIRST_S = 0.5
RETRY_LONGEST_S = 30.0

# Tasks waiting for a visitor; held here because the event loop keeps only weak references.
_waiting: set[asyncio.Task] = set()


def preheated(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this kernel was started before its visitor (Voila sets ``VOILA_PREHEAT``)."""
    return environ.get("VOILA_PREHEAT", "False") != "False"


def request_socket_url(environ: Mapping[str, str] = os.environ) -> str:
    """Address of the websocket on which Voila hands this kernel its visitor's request.

    Built from the variables Voila gives a preheated kernel, as ``voila.utils`` builds it.
    """
    base = environ.get("VOILA_WS_BASE_URL") or environ.get("VOILA_SERVER_URL", "/")
    return (f"{environ.get('VOILA_WS_PROTOCOL', 'ws')}://"
            f"{environ.get('VOILA_APP_IP', '127.0.0.1')}:{environ.get('VOILA_APP_PORT', '8866')}"
            f"{base}voila/query/{environ.get('VOILA_KERNEL_ID', '')}")


def parse_request(message: str | bytes) -> dict[str, str]:
    """The request in a message from Voila's query socket (``{}`` for anything malformed)."""
    try:
        request = json.loads(message)
    except (TypeError, ValueError):
        return {}
    if not isinstance(request, dict):
        return {}
    return {str(key): str(value) for key, value in request.items()}


async def wait_for_request(url: str, retry_first_s: float = RETRY_FIRST_S,
                           retry_longest_s: float = RETRY_LONGEST_S) -> dict[str, str]:
    """Wait, as long as it takes, for the visitor's request on Voila's query socket.

    A refused or dropped connection is tried again (Voila keeps the request for a kernel that
    connects after it came).
    """
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    delay = retry_first_s
    while True:
        try:
            # proxy=None: the socket is on this machine, whatever proxy the environment names.
            async with connect(url, proxy=None, open_timeout=None) as socket:
                return parse_request(await socket.recv())
        except (OSError, WebSocketException) as error:
            log.info("Waiting for Voila's query socket %s (%s)", url, error)
        await asyncio.sleep(delay)
        delay = min(2 * delay, retry_longest_s)


def on_request(callback: Callable[[dict[str, str]], None],
               environ: Mapping[str, str] = os.environ) -> asyncio.Task | None:
    """Call ``callback(request)`` once with the visitor's request, whenever the visitor comes.

    ``request`` maps CGI-style names (``"QUERY_STRING"``, ``"HTTP_ACCEPT_LANGUAGE"`` when Voila
    passes that header) to strings. A kernel Voila started for its visitor already has them in
    its environment: the callback runs at once. A preheated kernel gets them later: the callback
    runs from a task on the kernel's event loop when they arrive, and they are also put into
    ``os.environ`` (as Voila's own helper does).

    Returns
    -------
    asyncio.Task or None
        The waiting task (None when the callback already ran).
    """
    if not preheated(environ):
        callback(dict(environ))
        return None
    loop = asyncio.get_running_loop()  # a kernel runs its cells inside its event loop

    async def wait_then_call() -> None:
        request = await wait_for_request(request_socket_url(environ))
        os.environ.update(request)
        try:
            callback(request)
        except Exception:  # the page must still work; the note is in the log
            log.exception("Could not apply the visitor's request")

    task = loop.create_task(wait_then_call())
    _waiting.add(task)
    task.add_done_callback(_waiting.discard)
    return task
