"""The kernel websocket guard lets a page load on a busy machine.

ipywidgets asks the kernel for every widget's state in one message and waits 4 s for the answer;
on a busy machine (a class logging in together) it gives up and asks for each widget's state
separately, all at once: one message per widget, far more than the guard's bound on waiting
messages. Those requests are answered without a redraw, so the guard lets them wait beyond the
bound; were they dropped, the page would show "Loading widget..." for ever.
"""

from __future__ import annotations

import time

import pytest

from harness.viewers import KernelSocket, close_viewer, open_viewer

pytestmark = pytest.mark.browser


def test_a_page_asking_for_each_widgets_state_at_once_gets_every_answer(voila_server):
    viewer = open_viewer(voila_server.url)
    try:
        with KernelSocket(voila_server.url, viewer.kernel_id, viewer.cookie,
                          timeout_s=60) as socket:
            models = list(socket.widget_states())
            assert len(models) > 32, "the dashboard has more widgets than the guard's bound"
            asked = {socket.send("comm_info_request", {"target_name": "jupyter.widget"})}
            for model in models:  # what ipywidgets' fallback sends, without waiting between
                asked.add(socket.send("comm_msg", {"comm_id": model,
                                                   "data": {"method": "request_state"}}))
            answered, deadline = set(), time.monotonic() + 120
            while answered != asked and time.monotonic() < deadline:
                message = socket.recv(5)
                if message is None:
                    continue
                parent = message["parent_header"].get("msg_id")
                if parent in asked and message["header"]["msg_type"] in (
                        "comm_info_reply", "comm_msg"):
                    answered.add(parent)
            assert len(answered) == len(asked), (
                f"{len(asked) - len(answered)} of {len(asked)} state requests got no answer")
    finally:
        close_viewer(voila_server.url, viewer.kernel_id, viewer.cookie)
