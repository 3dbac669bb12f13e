"""The visitor's request reaches a waiting kernel whenever it comes (deepgluteal.visitor)."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.server import serve

from deepgluteal import visitor
from deepgluteal.serve import free_port


def run_in_own_loop(scenario) -> None:
    """asyncio.run(scenario()) in a thread of its own: a test session that ran the browser
    tests may already have an event loop running in this thread."""
    import threading

    errors = []

    def target():
        try:
            asyncio.run(scenario())
        except BaseException as error:  # handed to the test's thread
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the scenario did not finish"
    if errors:
        raise errors[0]


def test_the_socket_address_is_built_from_voilas_variables():
    environ = {"VOILA_PREHEAT": "True", "VOILA_APP_PORT": "9000", "VOILA_SERVER_URL": "/dgs/",
               "VOILA_KERNEL_ID": "abc"}
    assert visitor.request_socket_url(environ) == "ws://127.0.0.1:9000/dgs/voila/query/abc"
    environ["VOILA_WS_BASE_URL"] = "/ws/"
    assert visitor.request_socket_url(environ) == "ws://127.0.0.1:9000/ws/voila/query/abc"


def test_a_malformed_message_is_an_empty_request():
    assert visitor.parse_request('{"QUERY_STRING": "valgus=3"}') == {"QUERY_STRING": "valgus=3"}
    for message in ("not json", "[1, 2]", "null", b"\xff"):
        assert visitor.parse_request(message) == {}


def test_a_kernel_started_for_its_visitor_applies_the_link_at_once():
    seen = []
    task = visitor.on_request(seen.append, {"VOILA_PREHEAT": "False", "QUERY_STRING": "lang=es"})
    assert task is None
    assert seen[0]["QUERY_STRING"] == "lang=es"


def test_a_waiting_kernel_gets_a_request_that_comes_late_and_after_a_refused_connection(
        monkeypatch):
    """The server is not there at first, then answers only after a while: the request still
    arrives, and the kernel's event loop stays free meanwhile."""
    monkeypatch.setenv("QUERY_STRING", "")  # the request is copied into the environment
    port = free_port()
    environ = {"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(port), "VOILA_KERNEL_ID": "k1"}
    seen, paths = [], []

    async def handler(socket):
        paths.append(socket.request.path)
        await asyncio.sleep(1.0)  # the visitor comes late
        await socket.send(json.dumps({"QUERY_STRING": "valgus=12&lang=es"}))

    async def scenario():
        task = visitor.on_request(seen.append, environ)
        ticks = 0
        for _ in range(5):  # the loop runs other work while the task waits
            await asyncio.sleep(0.05)
            ticks += 1
        assert not seen and ticks == 5
        async with serve(handler, "127.0.0.1", port):
            await asyncio.wait_for(task, timeout=30)

    run_in_own_loop(scenario)
    assert paths == ["/voila/query/k1"]
    assert seen == [{"QUERY_STRING": "valgus=12&lang=es"}]


def test_a_failing_callback_does_not_break_the_kernel(caplog, monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "")
    port = free_port()
    environ = {"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(port), "VOILA_KERNEL_ID": "k2"}

    async def handler(socket):
        await socket.send("{}")

    def callback(request):
        raise RuntimeError("bad state")

    async def scenario():
        async with serve(handler, "127.0.0.1", port):
            await asyncio.wait_for(visitor.on_request(callback, environ), timeout=30)

    run_in_own_loop(scenario)
    assert "Could not apply the visitor's request" in caplog.text
