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
import json
import statistics
import time

import harness_path  # noqa: F401 - harness/ on sys.path
from timing import write_result
from viewers import ViewerClient, drive, grow, hardware, reading

from harness.servers import VoilaProcess, rss_mb
from harness.viewers import close_viewer, open_viewer

LEVELS = (10, 25, 50)
P95_TARGET_MS = 250.0


def memory(server: VoilaProcess) -> dict:
    kernels = [rss_mb(pid) for pid in server.kernel_pids()]
    kernels = [mb for mb in kernels if mb is not None]
    return {
        "server_mb": round(rss_mb(server.pid), 1),
        "kernels": len(kernels),
        "kernel_median_mb": round(statistics.median(kernels), 1),
        "kernel_max_mb": round(max(kernels), 1),
        "total_mb": round(rss_mb(server.pid) + sum(kernels), 1),
    }


def passes(level: dict) -> bool:
    p95 = level["latency_ms"]["p95"]
    return level["errors"] == 0 and p95 is not None and p95 < P95_TARGET_MS


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
    cap = max(args.levels) + 2  # the viewers, the preheated pool and a spare
    results = {"think_s": args.think, "seconds_per_level": args.seconds,
               "p95_target_ms": P95_TARGET_MS, "hardware": hardware(), "levels": []}
    clients: list[ViewerClient] = []
    started = time.monotonic()
    with VoilaProcess(extra_args=[f"--CappedKernelManager.max_kernels={cap}"]) as server:
        def arrive(seed: int) -> ViewerClient:  # a visitor loads the page
            return ViewerClient(server.url, open_viewer(server.url), seed)

        try:
            for result, _ in grow(server, clients, arrive, args.levels, args.seconds,
                                    args.think, workers=2):
                result["memory"] = memory(server)
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
                try:
                    client.close()
                finally:
                    close_viewer(server.url, client.viewer.kernel_id, client.viewer.cookie)
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
