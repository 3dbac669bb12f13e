# JupyterHub configuration for serving the explainer to a class on this machine (`make hub`).
# Every setting comes from deploy/jupyterhub/hub.toml; what they do is in src/deepgluteal/hub.py.
import os
from pathlib import Path

from deepgluteal import hub

c = get_config()  # noqa: F821 - JupyterHub provides get_config to its config files
hub.configure(c, hub.load_settings(environ=os.environ),
              state_dir=Path(os.environ.get("DGS_HUB_STATE_DIR") or hub.STATE_DIR))
