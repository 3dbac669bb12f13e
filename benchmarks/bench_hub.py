"""Many students through JupyterHub: slider latency and memory per student for N students.

The hub of ``make hub`` (deploy/jupyterhub/hub.toml, configurable-http-proxy, one Voila server
per student) on free loopback ports. Each student logs in with the class password (their server
starts on demand), takes their dashboard's kernel by loading the page through the hub's proxy,
and then moves the valgus slider one step about once a second, exactly as the single-server
benchmark's viewers do (``bench_load.py``'s client, over the proxy instead of straight to Voila).
N grows 10 -> 25 (new students join, the earlier ones stay). Memory: each student's Voila server
and kernel, and the hub's own processes (hub, proxy, culler).
Results: ``benchmarks/results/hub.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from bench_load import ViewerClient, drive, hardware, reading, wait_until_quiet
from timing import write_result

from deepgluteal.hub import HubClient, HubProcess
from deepgluteal.serving import KernelSocket, rss_mb

LEVELS = (10, 25)


class StudentClient(ViewerClient):
    """One student: signed in through the hub, their own server, the slider they move."""

    def __init__(self, hub: HubProcess, seed: int):
        self.name = f"student{seed:03d}"
        self.client = HubClient(hub.url, self.name, hub.password, timeout_s=300)
        self.viewer = self.client.open_viewer(deadline_s=600)
        self.socket = KernelSocket(self.client.server_url, self.viewer.kernel_id,
                                   self.viewer.cookie, timeout_s=60)
        states = self.socket.widget_states()
        self.slider = self.socket.find_widget("dgs-control-valgus", states)
        self.figures = {model for model, state in states.items()
                        if any(c.startswith("dgs-figure-") for c in state.get("_dom_classes", ()))}
        self.value = int(states[self.slider]["value"])
        self.random = random.Random(seed)
        self.step = 1

    def close(self, hub) -> None:
        self.socket.close()


class HubLoad:
    """What ``bench_load``'s ``drive`` reads from a server: here the hub's process tree, the
    hub's own process as "server" and every other process (proxy, culler, students' Voila
    servers, kernels) as "kernels"."""

    def __init__(self, hub: HubProcess):
        self.hub = hub
        self.pid = hub.process.pid

    def kernel_pids(self) -> list[int]:
        return [pid for pid in self.hub.pids() if pid != self.pid]


def memory(hub: HubProcess) -> dict:
    """Resident memory: the hub's own processes, and each student's server and kernels."""
    tree = {pid: _cmdline(pid) for pid in hub.pids()}
    voila = [pid for pid, cmd in tree.items() if "voila" in cmd and "--base_url=/user/" in cmd]
    kernels = [pid for pid, cmd in tree.items() if "ipykernel" in cmd]
    others = [pid for pid in tree if pid not in voila and pid not in kernels]
    servers_mb = [mb for mb in map(rss_mb, voila) if mb is not None]
    kernels_mb = [mb for mb in map(rss_mb, kernels) if mb is not None]
    hub_mb = sum(mb for mb in map(rss_mb, others) if mb is not None)
    per_student = (sum(servers_mb) + sum(kernels_mb)) / max(len(servers_mb), 1)
    return {"students_servers": len(servers_mb), "kernels": len(kernels_mb),
            "server_median_mb": round(statistics.median(servers_mb), 1),
            "kernel_median_mb": round(statistics.median(kernels_mb), 1),
            "per_student_mb": round(per_student, 1),
            "hub_proxy_culler_mb": round(hub_mb, 1),
            "total_mb": round(hub_mb + sum(servers_mb) + sum(kernels_mb), 1)}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument("--seconds", type=float, default=25.0, help="measured time per level")
    parser.add_argument("--think", type=float, default=1.0,
                        help="mean seconds between one student's slider moves")
    parser.add_argument("--name", default="hub")
    args = parser.parse_args()
    results = {"think_s": args.think, "seconds_per_level": args.seconds,
               "hardware": hardware(), "levels": []}
    clients: list[StudentClient] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dgs-bench-hub-") as state, \
            HubProcess(Path(state), timeout_s=300) as hub:
        load = HubLoad(hub)
        with ThreadPoolExecutor(max_workers=4) as pool:  # students arrive a few at a time
            for level in sorted(args.levels):
                joining = range(len(clients), level)
                arrival = time.monotonic()
                with reading(clients):
                    arriving = [pool.submit(StudentClient, hub, seed) for seed in joining]
                    for arrived in as_completed(arriving):
                        clients.append(arrived.result())
                    login_s = time.monotonic() - arrival
                    wait_until_quiet(load)
                result = drive(load, clients, args.seconds, args.think)
                result["memory"] = memory(hub)
                result["students_joining_s"] = round(login_s, 1)
                results["levels"].append(result)
                print(json.dumps(result), flush=True)
        for client in clients:
            client.close(hub)
    results["wall_s"] = round(time.monotonic() - started, 1)
    write_result(args.name, results)
    for level in results["levels"]:
        print(f"{level['viewers']} students: p50 {level['latency_ms']['p50']} ms, "
              f"p95 {level['latency_ms']['p95']} ms, errors {level['errors']}, "
              f"{level['memory']['per_student_mb']} MB per student "
              f"(server {level['memory']['server_median_mb']} + kernel "
              f"{level['memory']['kernel_median_mb']}), hub+proxy+culler "
              f"{level['memory']['hub_proxy_culler_mb']} MB")


if __name__ == "__main__":
    main()
