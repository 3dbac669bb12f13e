"""Many students through JupyterHub: slider latency and memory per student for N students.

The hub of ``make hub`` (deploy/jupyterhub/hub.toml, configurable-http-proxy, one Voila server
per student) on free loopback ports. Each student logs in with the class password (their server
starts on demand), takes their dashboard's kernel by loading the page through the hub's proxy,
and then moves the valgus slider one step about once a second, exactly as the single-server
benchmark's viewers do (``viewers.py``, over the proxy instead of straight to Voila).
N grows 10 -> 25 (new students join, the earlier ones stay). Memory: each student's Voila server
and kernel, and the hub's own processes (hub, proxy, culler).
Results: ``benchmarks/results/hub.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import harness_path  # noqa: F401 - harness/ on sys.path
from timing import write_result
from viewers import ViewerClient, grow, hardware

from harness.hub import HubClient, HubProcess
from harness.servers import rss_mb

LEVELS = (10, 25)


def student(hub: HubProcess, seed: int) -> ViewerClient:
    """One student: signed in through the hub, their own server, the slider they move."""
    client = HubClient(hub.url, f"student{seed:03d}", hub.password, timeout_s=300)
    return ViewerClient(client.server_url, client.open_viewer(deadline_s=600), seed)


class HubLoad:
    """The server :func:`viewers.grow` watches: here the hub's process tree, the hub's own
    process as "server" and every other process (proxy, culler, students' Voila servers,
    kernels) as "kernels"."""

    def __init__(self, hub: HubProcess):
        self.hub = hub
        self.pid = hub.pid

    def kernel_pids(self) -> list[int]:
        return [pid for pid in self.hub.pids() if pid != self.pid]


def memory(hub: HubProcess) -> dict:
    """Resident memory: the hub's own processes, and each student's server and kernels."""
    tree = {pid: _cmdline(pid) for pid in hub.pids()}
    voila = [pid for pid, cmd in tree.items() if "voila" in cmd and ".base_url=/user/" in cmd]
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
    clients: list[ViewerClient] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dgs-bench-hub-") as state, \
            HubProcess(Path(state), timeout_s=300) as hub:
        try:
            # students arrive a few at a time
            for result, joining_s in grow(HubLoad(hub), clients,
                                            lambda seed: student(hub, seed), args.levels,
                                            args.seconds, args.think, workers=4):
                result["memory"] = memory(hub)
                result["students_joining_s"] = round(joining_s, 1)
                results["levels"].append(result)
                print(json.dumps(result), flush=True)
        finally:
            for client in clients:
                client.close()
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
