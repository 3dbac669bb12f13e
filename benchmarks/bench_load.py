"""Many viewers on one server: slider latency, errors and memory for N concurrent viewers.

One Voila server with the project's ``voila.json`` (the kernel cap raised to fit the largest
N) on this machine, loopback only. Each viewer takes its own kernel by loading the page, as a
browser tab does, then speaks the kernel protocol over the page's websocket (a browser tab
without the browser: cheap enough to run 50 on two cores next to the server):

- every ``think`` seconds on average (uniform between half and one and a half times it) it
  moves the valgus slider one step, as a student exploring the dashboard would;
- the slider latency is the time from sending the change to the kernel's idle status for it,
  by which time every redrawn figure has arrived (the browser's decoding is not included;
  ``bench_dashboard.py`` measures a real page);
- an error is a change that got no redrawn figure, no answer within 10 s, or a broken socket.

N grows 10 -> 25 -> 50 (new viewers join, the earlier ones stay); each level runs for a fixed
time after a warm-up change per viewer. Between a passing and a failing level, levels 5 apart
are measured with a subset of the viewers (the others stay open and idle) to narrow down the
largest N whose 95th percentile stays under 250 ms. Memory: the server's resident memory and
each kernel's, at each main level; CPU time of the server and the kernels per change.
Results: ``benchmarks/results/load.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from timing import write_result

from deepgluteal.serving import KernelSocket, VoilaProcess, close_viewer, open_viewer, rss_mb

LEVELS = (10, 25, 50)
P95_TARGET_MS = 250.0
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

    def __init__(self, server: VoilaProcess, seed: int):
        self.viewer = open_viewer(server.url)
        self.socket = KernelSocket(server.url, self.viewer.kernel_id, self.viewer.cookie,
                                   timeout_s=60)
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

    def close(self, server: VoilaProcess) -> None:
        try:
            self.socket.close()
        finally:
            close_viewer(server.url, self.viewer.kernel_id, self.viewer.cookie)


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


def drive(server: VoilaProcess, clients, seconds: float, think_s: float) -> dict:
    """All ``clients`` move their sliders for ``seconds``; latency figures, errors, and the
    CPU time the server and the kernels spent per change."""
    for client in clients:  # warm-up: one change each, not measured
        client.move()
    kernels = server.kernel_pids()
    server_cpu, kernels_cpu = cpu_s([server.pid]), cpu_s(kernels)
    results, lock = {"latencies_ms": [], "errors": []}, threading.Lock()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client.run, args=(until, think_s, results, lock))
               for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server_cpu, kernels_cpu = cpu_s([server.pid]) - server_cpu, cpu_s(kernels) - kernels_cpu
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


def memory(server: VoilaProcess, clients) -> dict:
    kernels = [rss_mb(pid) for pid in server.kernel_pids()]
    kernels = [mb for mb in kernels if mb is not None]
    return {
        "server_mb": round(rss_mb(server.pid), 1),
        "kernels": len(kernels),
        "kernel_median_mb": round(statistics.median(kernels), 1),
        "kernel_max_mb": round(max(kernels), 1),
        "total_mb": round(rss_mb(server.pid) + sum(kernels), 1),
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


def wait_until_quiet(server: VoilaProcess, timeout_s: float = 120.0) -> None:
    """Wait for the server and its kernels to go idle (e.g. the pool's refill to finish)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        pids = [server.pid, *server.kernel_pids()]
        before = cpu_s(pids)
        time.sleep(1.0)
        if cpu_s(pids) - before < 0.1:
            return


def passes(level: dict) -> bool:
    p95 = level["latency_ms"]["p95"]
    return level["errors"] == 0 and p95 is not None and p95 < P95_TARGET_MS


def hardware() -> dict:
    memory_kb = next(int(line.split()[1]) for line in open("/proc/meminfo")
                     if line.startswith("MemTotal:"))
    return {"cpus": os.cpu_count(), "memory_gb": round(memory_kb / 1024**2, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument("--seconds", type=float, default=25.0, help="measured time per level")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds between one viewer's slider moves")
    parser.add_argument("--name", default="load",
                        help="results file name (benchmarks/results/<name>.json)")
    parser.add_argument("--no-refine", action="store_true",
                        help="skip the levels between a passing and a failing one")
    args = parser.parse_args()
    levels = sorted(args.levels)
    cap = levels[-1] + 2  # the viewers, the preheated pool and a spare
    results = {"think_s": args.think, "seconds_per_level": args.seconds,
               "p95_target_ms": P95_TARGET_MS, "hardware": hardware(), "levels": []}
    clients: list[ViewerClient] = []
    started = time.monotonic()
    with VoilaProcess(extra_args=[f"--CappedKernelManager.max_kernels={cap}"]) as server:
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:  # pages load as visitors arrive
                for level in levels:
                    joining = range(len(clients), level)
                    with reading(clients):  # joined viewers keep reading meanwhile
                        arriving = [pool.submit(ViewerClient, server, seed) for seed in joining]
                        for arrived in as_completed(arriving):
                            clients.append(arrived.result())
                        wait_until_quiet(server)  # the pool's refill is not part of the load
                    result = drive(server, clients, args.seconds, args.think)
                    result["memory"] = memory(server, clients)
                    results["levels"].append(result)
                    print(json.dumps(result), flush=True)
            if not args.no_refine:
                main_levels = list(results["levels"])
                for below, above in zip(main_levels, main_levels[1:], strict=False):
                    if passes(below) and not passes(above):
                        for n in range(below["viewers"] + 5, above["viewers"], 5)[:3]:
                            with reading(clients[n:]):
                                result = drive(server, clients[:n], args.seconds, args.think)
                            result["refinement"] = True
                            results["levels"].append(result)
                            print(json.dumps(result), flush=True)
        finally:
            for client in clients:
                client.close(server)
    passing = [level["viewers"] for level in results["levels"] if passes(level)]
    results["largest_n_under_target"] = max(passing) if passing else None
    main_memory = [level["memory"] for level in results["levels"] if "memory" in level]
    results["kernel_median_mb"] = round(statistics.median(
        m["kernel_median_mb"] for m in main_memory), 1)
    results["server_mb"] = main_memory[-1]["server_mb"]
    results["wall_s"] = round(time.monotonic() - started, 1)
    print(f"largest N with p95 < {P95_TARGET_MS:.0f} ms and no errors: "
          f"{results['largest_n_under_target']}; kernel {results['kernel_median_mb']} MB; "
          f"{results['wall_s']} s")
    write_result(args.name, results)


if __name__ == "__main__":
    main()
