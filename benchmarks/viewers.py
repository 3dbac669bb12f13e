"""Viewers without a browser that move the valgus slider, as the load benchmarks run them:
``bench_load.py`` on one Voila server, ``bench_hub.py`` through JupyterHub (a server per student).

What both do: viewers arrive level by level (N grows, the earlier ones stay and keep reading),
the machine settles, then every viewer moves its slider about once per ``think`` seconds for a
fixed time (:func:`grow`); latency, errors and CPU time per change (:func:`drive`).
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import harness_path  # noqa: F401 - harness/ on sys.path

from harness.viewers import KernelSocket, Viewer

VALGUS = "dgs-control-valgus"
VALGUS_RANGE = (0, 25)
ANSWER_TIMEOUT_S = 10.0


def percentile(values, fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class ViewerClient:
    """One viewer: its kernel, its websocket, and the valgus slider it moves."""

    def __init__(self, server_url: str, viewer: Viewer, seed: int):
        self.viewer = viewer
        self.socket = KernelSocket(server_url, viewer.kernel_id, viewer.cookie, timeout_s=60)
        states = self.socket.widget_states()
        self.slider = self.socket.find_widget(VALGUS, states)
        self.figures = {model for model, state in states.items()
                        if any(c.startswith("dgs-figure-") for c in state.get("_dom_classes", ()))}
        self.value = int(states[self.slider]["value"])
        self.random = random.Random(seed)
        self.step = 1

    def move(self) -> tuple[float, int]:
        """Move the slider one step; returns (latency in ms, figures redrawn)."""
        if not VALGUS_RANGE[0] <= self.value + self.step <= VALGUS_RANGE[1]:
            self.step = -self.step
        self.value += self.step
        started = time.perf_counter()
        messages = self.socket.wait_idle(self.socket.update(self.slider, {"value": self.value}),
                                         timeout_s=ANSWER_TIMEOUT_S)
        latency_ms = (time.perf_counter() - started) * 1000
        redrawn = sum(1 for m in messages if m["header"]["msg_type"] == "comm_msg"
                      and m["content"].get("comm_id") in self.figures and m["buffers"])
        return latency_ms, redrawn

    def run(self, until: float, think_s: float, results: dict, lock: threading.Lock) -> None:
        while True:
            pause = self.random.uniform(0.5 * think_s, 1.5 * think_s)
            if time.monotonic() + pause >= until:
                return
            try:
                self.socket.drain(pause)
                latency_ms, redrawn = self.move()
            except Exception as error:  # a timeout or a broken socket: counted, not raised
                with lock:
                    results["errors"].append(type(error).__name__)
                continue
            with lock:
                if redrawn:
                    results["latencies_ms"].append(latency_ms)
                else:
                    results["errors"].append("no figure redrawn")

    def close(self) -> None:
        self.socket.close()


@contextlib.contextmanager
def reading(clients: list):
    """Keep reading idle viewers' sockets (as their pages would) while others are busy;
    viewers appended to ``clients`` meanwhile are read too."""
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            for client in list(clients):
                client.socket.drain(0.02)
            stop.wait(0.05)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        yield
    finally:
        stop.set()
        reader.join()


def grow(load, clients: list, arrive, sizes, seconds: float, think_s: float, workers: int):
    """For each N in ``sizes``: viewers arrive (``arrive(seed)`` makes one, ``workers`` at a
    time) until ``clients`` holds N, the joined ones reading meanwhile; once ``load`` (a server:
    ``pid``, ``kernel_pids()``) is quiet, all of them move their sliders for ``seconds``.
    Yields each level's :func:`drive` result and the seconds its viewers took to arrive."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for size in sorted(sizes):
            started = time.monotonic()
            with reading(clients):
                arriving = [pool.submit(arrive, seed) for seed in range(len(clients), size)]
                for arrived in as_completed(arriving):
                    clients.append(arrived.result())
                arrival_s = time.monotonic() - started
                wait_until_quiet(load)  # e.g. the pool's refill is not part of the load
            yield drive(load, clients, seconds, think_s), arrival_s


def drive(load, clients, seconds: float, think_s: float) -> dict:
    """All ``clients`` move their sliders for ``seconds``; latency figures, errors, and the
    CPU time the server (``load.pid``) and the kernels spent per change."""
    for client in clients:  # warm-up: one change each, not measured
        client.move()
    kernels = load.kernel_pids()
    server_cpu, kernels_cpu = cpu_s([load.pid]), cpu_s(kernels)
    results, lock = {"latencies_ms": [], "errors": []}, threading.Lock()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client.run, args=(until, think_s, results, lock))
               for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server_cpu, kernels_cpu = cpu_s([load.pid]) - server_cpu, cpu_s(kernels) - kernels_cpu
    latencies = results["latencies_ms"]
    changes = max(len(latencies), 1)
    return {
        "viewers": len(clients),
        "changes": len(latencies),
        "errors": len(results["errors"]),
        "error_kinds": sorted(set(results["errors"])),
        "latency_ms": {name: (round(percentile(latencies, fraction), 1) if latencies else None)
                       for name, fraction in (("p50", 0.5), ("p90", 0.9), ("p95", 0.95),
                                              ("p99", 0.99), ("max", 1.0))},
        "changes_per_s": round(len(latencies) / seconds, 1),
        "cpu_ms_per_change": {"server": round(1000 * server_cpu / changes, 1),
                              "kernel": round(1000 * kernels_cpu / changes, 1)},
        "cpu_cores_busy": round((server_cpu + kernels_cpu) / seconds, 2),
    }


def cpu_s(pids) -> float:
    """CPU time (user + system) the processes used so far, in seconds."""
    ticks = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_quiet(load, timeout_s: float = 120.0) -> None:
    """Wait for the server and its kernels to go idle (e.g. the pool's refill to finish)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pids = [load.pid, *load.kernel_pids()]
        before = cpu_s(pids)
        time.sleep(1.0)
        if cpu_s(pids) - before < 0.1:
            return


def hardware() -> dict:
    memory_kb = next(int(line.split()[1]) for line in open("/proc/meminfo")
                     if line.startswith("MemTotal:"))
    return {"cpus": os.cpu_count(), "memory_gb": round(memory_kb / 1024**2, 1)}
