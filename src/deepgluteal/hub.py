"""The dashboard behind JupyterHub: one settings file, the local hub, the Kubernetes values.

- :func:`load_settings` reads ``deploy/jupyterhub/hub.toml``, the one source of the hub's settings.
- :func:`configure` turns them into the configuration of a hub on this machine (``make hub``,
  ``deploy/jupyterhub/jupyterhub_config.py``): configurable-http-proxy from npm, one local process
  per student (:mod:`deepgluteal.hub_singleuser`), a shared class password, and
  ``jupyterhub-idle-culler`` stopping idle servers.
- :func:`values_yaml` writes the Zero to JupyterHub values from the same settings
  (``deploy/jupyterhub/values.yaml``).

Running a hub and logging in to it without a browser, for the tests and
``benchmarks/bench_hub.py``, is ``harness/hub.py``'s (outside the package).
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import sys
import tomllib
from pathlib import Path

from deepgluteal.serve import free_port

# The hub runs from a checkout (`make hub`): its settings and state are the repository's.
REPOSITORY = Path(__file__).resolve().parents[2]
HUB_DIR = REPOSITORY / "deploy" / "jupyterhub"
SETTINGS_FILE = HUB_DIR / "hub.toml"
CONFIG_FILE = HUB_DIR / "jupyterhub_config.py"
VALUES_FILE = HUB_DIR / "values.yaml"
STATE_DIR = REPOSITORY / ".hub"
PROXY_COMMAND = STATE_DIR / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
SINGLEUSER_MODULE = "deepgluteal.hub_singleuser"
OPERATOR_SERVICE = "dgs-operator"


@dataclasses.dataclass(frozen=True)
class HubSettings:
    """What ``hub.toml`` says (times in seconds)."""

    ip: str
    port: int
    idle_timeout_s: int
    cull_every_s: int
    max_age_s: int
    max_students: int
    kernels_per_student: int
    concurrent_spawn_limit: int
    active_server_limit: int

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}/"


# Settings that `make hub` (and the tests) may override from the environment for one run.
ENVIRONMENT_OVERRIDES = {"ip": "DGS_HUB_IP", "port": "DGS_HUB_PORT",
                         "idle_timeout_s": "DGS_HUB_IDLE_TIMEOUT_S",
                         "cull_every_s": "DGS_HUB_CULL_EVERY_S"}


def load_settings(path: Path = SETTINGS_FILE, environ=None) -> HubSettings:
    """The hub's settings from ``path``; with ``environ``, the overrides it holds
    (:data:`ENVIRONMENT_OVERRIDES`) apply, as for one run of ``make hub``."""
    raw = tomllib.loads(Path(path).read_text())
    flat = {**raw["workshop"], **raw["kubernetes"]}
    for field, variable in ENVIRONMENT_OVERRIDES.items():
        if environ and environ.get(variable):
            flat[field] = environ[variable]
    try:
        settings = HubSettings(**{field.name: (str if field.type == "str" else int)(
            flat[field.name]) for field in dataclasses.fields(HubSettings)})
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: {error!r}; every setting of hub.toml is needed") from error
    if not 1 <= settings.port <= 65535:
        raise ValueError(f"port must be between 1 and 65535, got {settings.port}")
    if settings.idle_timeout_s < 1 or not 1 <= settings.cull_every_s <= settings.idle_timeout_s:
        raise ValueError("idle_timeout_s (seconds) must be >= 1 and cull_every_s between 1 "
                         f"and idle_timeout_s; got {settings.idle_timeout_s}, "
                         f"{settings.cull_every_s}")
    return settings


def class_password(state_dir: Path, environ=os.environ) -> str:
    """The class's shared password: ``HUB_PASSWORD`` when set, else one made up once and kept
    in ``<state_dir>/password`` (readable by this Unix user only)."""
    given = environ.get("HUB_PASSWORD") or environ.get("DGS_HUB_PASSWORD")
    if given:
        if len(given) < 8:
            raise ValueError("HUB_PASSWORD must be at least 8 characters long")
        return given
    stored = Path(state_dir) / "password"
    if not stored.exists():
        stored.parent.mkdir(parents=True, exist_ok=True)
        words = "-".join(secrets.choice(_WORDS) for _ in range(4))
        stored.touch(mode=0o600)
        stored.write_text(words + "\n")
    return stored.read_text().strip()


_WORDS = ("hip", "knee", "step", "nerve", "glute", "femur", "pelvis", "stride", "squat", "stair",
          "lunge", "ankle", "spine", "joint", "tendon", "muscle", "bridge", "clam", "plank", "walk")


def singleuser_command(python: str = sys.executable) -> list[str]:
    """What the spawner runs for each student (the hub passes address and prefix in env)."""
    return [python, "-m", SINGLEUSER_MODULE]


def culler_command(settings: HubSettings, python: str = sys.executable) -> list[str]:
    return [python, "-m", "jupyterhub_idle_culler", f"--timeout={settings.idle_timeout_s}",
            f"--cull-every={settings.cull_every_s}", f"--max-age={settings.max_age_s}",
            "--concurrency=10"]


def configure(c, settings: HubSettings, state_dir: Path = STATE_DIR, environ=os.environ) -> None:
    """Configure a JupyterHub (its config object ``c``) to serve the dashboard on this machine.

    One Unix user runs the hub and every student's server (``SimpleLocalProcessSpawner``): the
    servers are read-only dashboards that run no code a student sends (docs/DEPLOY.md), so
    separating students by Unix account protects nothing here. An institution runs
    KubeSpawner (one container per student) or SystemdSpawner / the default LocalProcessSpawner
    with real accounts instead.
    """
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    c.JupyterHub.bind_url = settings.url
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{free_port()}"
    c.JupyterHub.db_url = f"sqlite:///{state_dir / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state_dir / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state_dir / "jupyterhub.pid")
    c.ConfigurableHTTPProxy.command = [str(PROXY_COMMAND)]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"
    c.ConfigurableHTTPProxy.pid_file = str(state_dir / "proxy.pid")
    c.ConfigurableHTTPProxy.auth_token = _secret(state_dir / "proxy_token")

    # A class: anyone with the shared password signs in under a name of their choosing.
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = class_password(state_dir, environ)
    c.Authenticator.allow_all = True
    c.Authenticator.username_pattern = r"^[a-z0-9][a-z0-9._-]{0,39}$"

    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = str(state_dir / "users" / "{username}")
    c.Spawner.cmd = singleuser_command()
    c.Spawner.args = []
    c.Spawner.http_timeout = 120
    c.Spawner.start_timeout = 180
    c.Spawner.environment = {
        "DGS_KERNELS_PER_STUDENT": str(settings.kernels_per_student),
        # Each student gets a HOME of their own; matplotlib's font cache is shared, not rebuilt.
        "MPLCONFIGDIR": str(state_dir / "matplotlib"),
    }
    c.Spawner.env_keep = ["PATH", "PYTHONPATH", "CONDA_ROOT", "CONDA_DEFAULT_ENV",
                          "VIRTUAL_ENV", "LANG", "LC_ALL", "DGS_DRAW_AHEAD"]
    c.JupyterHub.concurrent_spawn_limit = settings.concurrent_spawn_limit
    c.JupyterHub.active_server_limit = settings.max_students
    # A student whose server was stopped while away gets a new one by reloading the page.
    c.JupyterHub.implicit_spawn_seconds = 2
    # The hub reads from the proxy when each student's page last talked to their server.
    c.JupyterHub.last_activity_interval = max(5, min(300, settings.idle_timeout_s // 6))

    c.JupyterHub.services = [{"name": "idle-culler", "command": culler_command(settings)}]
    c.JupyterHub.load_roles = [{
        "name": "idle-culler", "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]
    operator_token = environ.get("DGS_HUB_OPERATOR_TOKEN")
    if operator_token:  # tests and benchmarks: read users and start their servers by API
        c.JupyterHub.services.append({"name": OPERATOR_SERVICE, "api_token": operator_token})
        c.JupyterHub.load_roles.append({
            "name": OPERATOR_SERVICE, "services": [OPERATOR_SERVICE],
            "scopes": ["list:users", "read:users", "read:servers", "servers", "list:services",
                       "read:services", "admin:users"]})


def _secret(path: Path) -> str:
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


# ----------------------------------------------------------------------------- Kubernetes
VALUES_TEMPLATE = """\
# GENERATED from deploy/jupyterhub/hub.toml by `make hub-values` (python -m deepgluteal.hub
# values); edit hub.toml and regenerate. tests/test_hub.py checks that this file is up to date.
#
# Zero to JupyterHub (https://z2jh.jupyter.org, chart "jupyterhub" 4.x) values for serving
# the Deep Gluteal Syndrome explainer to more students than one machine holds.
#
#   helm upgrade --install dgs jupyterhub/jupyterhub --namespace dgs --create-namespace \\
#        --values deploy/jupyterhub/values.yaml \\
#        --set hub.config.SharedPasswordAuthenticator.user_password="$HUB_PASSWORD"
#
# Every student gets a pod of their own from the image built from this repository (see
# deploy/binder/README.md: repo2docker reads the root environment.yml), running the same
# server as `make hub` runs for each student on one machine: standalone Voila with the
# package's server/voila.json, signed in through the hub (src/deepgluteal/hub_singleuser.py).
# Sizes come from benchmarks/bench_load.py and benchmarks/bench_hub.py on a 2-core machine
# (docs/DEPLOY.md): a viewer's kernel holds about 130-140 MB, the student's Voila server about
# 145 MB more.

hub:
  config:
    JupyterHub:
      # A class: anyone with the shared password (set at install time, never in this file)
      # signs in under a name of their choosing. Use an OAuth, LTI or LDAP authenticator for
      # named students instead (docs/DEPLOY.md).
      authenticator_class: shared-password
    Authenticator:
      allow_all: true
      username_pattern: {username_pattern}
    Spawner:
      http_timeout: 120
  # A class arriving at once: start up to {concurrent_spawn_limit} pods in parallel;
  # never run more than {active_server_limit}.
  concurrentSpawnLimit: {concurrent_spawn_limit}
  activeServerLimit: {active_server_limit}

singleuser:
  image:
    name: registry.example.org/dgs-explainer  # built with repo2docker, see above
    tag: "0.1.0"
    pullPolicy: IfNotPresent
  # The pod runs the dashboard server only (no Jupyter server: no contents, kernels or
  # terminals API), which opens on the dashboard at the student's prefix.
  cmd: {cmd}
  defaultUrl: /
  extraEnv:
    DGS_KERNELS_PER_STUDENT: "{kernels_per_student}"
  memory:
    # Voila server (about 145 MB) + a kernel (about 140 MB) + a reload's second kernel while
    # the first shuts down; the limit leaves room for {kernels_per_student} tabs.
    guarantee: 384M
    limit: 768M
  cpu:
    # A student moving a slider once a second uses about 0.07 of a core on average; a drag
    # uses up to one core for as long as it lasts.
    guarantee: 0.1
    limit: 1
  storage:
    type: none  # the dashboard is read-only: nothing to keep between sessions
  startTimeout: 300
  networkPolicy:
    enabled: true
    egressAllowRules:
      # The dashboard asks no other host; the pod needs no internet.
      nonPrivateIPs: false
      privateIPs: false
      dnsPortsCloudMetadataServer: false
      dnsPortsKubeSystemNamespace: true
      dnsPortsPrivateIPs: false

scheduling:
  userScheduler:
    enabled: true  # packs pods onto few nodes so that idle nodes can be scaled down
  podPriority:
    enabled: true
  userPlaceholder:
    enabled: true
    replicas: 10  # room kept warm for ten students who arrive at once

prePuller:
  hook:
    enabled: true  # every node pulls the image before a class, not while students wait
  continuous:
    enabled: true

cull:
  # jupyterhub-idle-culler, as `make hub` runs it: a student's pod stops after {idle_timeout_s} s
  # without activity (a closed tab, the end of a class), and after {max_age_s} s in any case;
  # the next visit starts a fresh one.
  enabled: true
  users: false
  removeNamedServers: false
  timeout: {idle_timeout_s}
  every: {cull_every_s}
  concurrency: 10
  maxAge: {max_age_s}
"""


def values_yaml(settings: HubSettings | None = None) -> str:
    """``deploy/jupyterhub/values.yaml`` as generated from ``hub.toml`` (without overrides)."""
    settings = settings or load_settings()
    fields = dataclasses.asdict(settings)
    return VALUES_TEMPLATE.format(
        **fields, username_pattern=json.dumps(r"^[a-z0-9][a-z0-9._-]{0,39}$"),
        cmd=json.dumps(singleuser_command(python="python")))


def announce(environ=os.environ) -> None:
    """Tell the teacher where the class logs in and with which password (``make hub``)."""
    settings = load_settings(environ=environ)
    state_dir = Path(environ.get("DGS_HUB_STATE_DIR") or STATE_DIR)
    print(f"\nThe explainer for a class: {settings.url}\n"
          f"Students sign in with any name and the class password: "
          f"{class_password(state_dir, environ)}\n"
          f"(idle servers stop after {settings.idle_timeout_s} s; settings in "
          f"{SETTINGS_FILE.relative_to(REPOSITORY)}; Ctrl-C stops the hub)\n", flush=True)


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m deepgluteal.hub")
    parser.add_argument("action", choices=["values", "announce"],
                        help="values: print values.yaml as generated from hub.toml; announce: "
                             "print the address and class password `make hub` uses")
    args = parser.parse_args(argv)
    if args.action == "values":
        sys.stdout.write(values_yaml())
    else:
        try:
            announce()
        except ValueError as error:  # a bad setting or password: say which, no traceback
            sys.exit(f"make hub: {error}")


if __name__ == "__main__":
    main()
