"""A student's dashboard server under JupyterHub: standalone Voila, signed in through the hub.

JupyterHub's spawner runs ``python -m deepgluteal.hub_singleuser`` for each student who logs in,
with the hub's ``JUPYTERHUB_*`` variables in its environment. It becomes (``exec``) the same
standalone Voila server that ``deepgluteal serve`` runs, with the package's ``server/voila.json``
(the ``dgs`` template, sources stripped, no tracebacks, no files, the kernel websocket guard, the
kernel cap), plus three things for the hub:

- it answers under the student's prefix (``/user/<name>/``) on the address the hub gave it;
- it lets in only the student the hub signed in (:class:`HubIdentityProvider`, the hub's OAuth);
- it starts a kernel per tab when the tab opens (no preheated spare: a server serves one
  student, so a spare would double their memory) and at most ``kernels_per_student`` of them.

Why standalone Voila rather than ``jupyterhub-singleuser`` with Voila's server extension: the
latter is a full Jupyter server whose contents, kernels, sessions and terminals APIs would each
have to be switched off, and whose kernel websocket is jupyter_server's own, not the guard.
Standalone Voila serves nothing but the dashboard, with every setting the security tests check.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

from deepgluteal.serve import voila_argv

IDENTITY_PROVIDER = "deepgluteal.hub_singleuser.HubIdentityProvider"


def server_command(base_url: str, ip: str, port: int, kernels_per_student: int = 3) -> list[str]:
    """The command that serves one student's dashboard behind the hub.

    This is the one place that says how a student's server is started: Voila with the same
    hardened settings as ``deepgluteal serve`` (:func:`deepgluteal.serve.voila_argv`), plus the
    hub's sign-in, no preheated spare and the per-student kernel cap.
    """
    voila = str(Path(sys.executable).with_name("voila"))
    return [voila, *voila_argv(host=ip, port=port, base_url=base_url),
            f"--Voila.identity_provider_class={IDENTITY_PROVIDER}",
            "--VoilaConfiguration.preheat_kernel=False",
            f"--CappedKernelManager.max_kernels={kernels_per_student}"]


def command_from_environment(environ=os.environ) -> list[str]:
    """:func:`server_command` for the address and prefix the hub put in the environment."""
    url = urlparse(environ["JUPYTERHUB_SERVICE_URL"])
    return server_command(base_url=environ["JUPYTERHUB_SERVICE_PREFIX"],
                          ip=url.hostname or "127.0.0.1", port=url.port or 8888,
                          kernels_per_student=int(environ.get("DGS_KERNELS_PER_STUDENT", "3")))


def main() -> None:
    command = command_from_environment()
    os.execv(command[0], command)  # the spawner signals this very process to stop it


def __getattr__(name: str):
    if name == "HubIdentityProvider":
        return _identity_provider()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _identity_provider():
    """Built on first use: importing JupyterHub's singleuser code takes a second."""
    from jupyter_server.utils import url_path_join
    from jupyterhub.singleuser.extension import JupyterHubIdentityProvider

    class HubIdentityProvider(JupyterHubIdentityProvider):
        """JupyterHub's sign-in for a standalone Voila server.

        The hub's own provider serves jupyter_server, which puts every handler under the base
        URL; Voila adds a provider's handlers as given, so the OAuth callback and logout are
        put under the student's prefix here (``/user/<name>/oauth_callback``, where the hub
        sends the browser back).
        """

        def __init__(self, **kwargs):
            kwargs.pop("token", None)  # Voila passes its own; the hub's API token is used
            super().__init__(**kwargs)

        def get_handlers(self):
            base_url = self.parent.base_url if self.parent is not None else "/"
            return [(url_path_join(base_url, pattern), *rest)
                    for pattern, *rest in super().get_handlers()]

    return HubIdentityProvider


if __name__ == "__main__":
    main()
