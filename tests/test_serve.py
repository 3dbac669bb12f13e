"""``deepgluteal serve``: its options, their errors, and the settings it hands to Voila."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from deepgluteal.serve import (
    CONFIG_DIR,
    dashboard_notebook,
    default_max_viewers,
    pool_size,
    serve_environment,
    voila_argv,
    voila_config,
)
from deepgluteal.serving import TRACEBACK


def deepgluteal(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deepgluteal", *argv], capture_output=True,
                          text=True, timeout=60)


def test_help_explains_every_option():
    done = deepgluteal("serve", "--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for option in ("--host", "--port", "--lang", "--max-viewers", "--base-url", "--public-url"):
        assert option in text
    assert "1 to 65535" in text and "1 to 1000" in text and "en, es" in text
    assert "--notebook" not in text, "the tests' option is not for users"


@pytest.mark.parametrize(("argv", "words"), [
    (["--port", "0"], ["--port", "1 to 65535", "'0'"]),
    (["--port", "http"], ["--port", "1 to 65535"]),
    (["--max-viewers", "0"], ["--max-viewers", "1 to 1000"]),
    (["--max-viewers", "2.5"], ["--max-viewers", "1 to 1000"]),
    (["--lang", "fr"], ["--lang", "en", "es"]),
    (["--base-url", "dgs"], ["--base-url", "starts with '/'"]),
    (["--base-url", "/a b/"], ["--base-url"]),
    (["--public-url", "clinic.example.org"], ["--public-url", "https://"]),
    (["--host", "not a host!"], ["--host", "IP address"]),
    (["--", "rm"], ["start with '--'"]),
])
def test_a_bad_value_is_named_with_its_valid_range(argv, words):
    done = deepgluteal("serve", *argv)
    assert done.returncode == 2
    for word in words:
        assert word in done.stderr, done.stderr
    assert not TRACEBACK.search(done.stderr)


def test_the_settings_are_the_hardened_ones_and_voila_reads_only_them():
    argv = voila_argv(host="0.0.0.0", port=9000, max_viewers=20, base_url="/dgs/")
    assert argv[0] == str(dashboard_notebook()) and dashboard_notebook().is_file()
    assert f"--Voila.config_file_paths={CONFIG_DIR}" in argv
    assert json.loads((CONFIG_DIR / "voila.json").read_text()) == voila_config()
    assert {"--Voila.ip=0.0.0.0", "--Voila.port=9000", "--Voila.base_url=/dgs/"} <= set(argv)
    assert f"--CappedKernelManager.max_kernels={20 + pool_size()}" in argv
    assert default_max_viewers() == voila_config()["CappedKernelManager"]["max_kernels"] - 1
    assert "Accept-Language" in voila_config()["VoilaConfiguration"]["http_header_envs"]


def test_the_kernels_learn_the_default_language_and_the_public_address():
    assert serve_environment("es", "https://clinic.example.org/dgs/") == {
        "DGS_DEFAULT_LANG": "es", "DGS_PUBLIC_URL": "https://clinic.example.org/dgs/"}
    assert serve_environment() == {}


def test_serve_gives_a_viewer_a_kernel_that_answers_a_slider():
    """Not a browser test, so that ``make test-lowest`` also runs it: the lowest Voila,
    jupyter_server, tornado and ipywidgets that pyproject.toml allows serve the dashboard with
    the project's server classes (the kernel cap, the guarded websocket)."""
    from harness.servers import VoilaProcess
    from harness.viewers import KernelSocket, open_viewer

    with VoilaProcess(timeout_s=120) as server:
        viewer = open_viewer(server.url)
        assert "dgs-" in viewer.page and not TRACEBACK.search(viewer.page)
        with KernelSocket(server.url, viewer.kernel_id, viewer.cookie) as socket:
            states = socket.widget_states()
            valgus = socket.find_widget("dgs-control-valgus", states)
            replies = socket.wait_idle(socket.update(valgus, {"value": 12}))
            assert any(reply["header"]["msg_type"] == "comm_msg" for reply in replies)
            # a message a page never sends is dropped by the guard, not answered
            socket.send("execute_request", {"code": "1", "silent": False})
            assert socket.widget_states()[valgus]["value"] == 12
        log = server.log()
    assert "Dropped a 'execute_request' message" in log
