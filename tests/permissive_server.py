"""A deliberately unsafe kernel manager for one test: it lets every message type through.

Only ``test_security.py`` uses it, to show that its check for code running in the kernel can
fail: with this manager and jupyter_server's plain websocket connection, code does run.
"""

from deepgluteal.serving import CappedKernelManager


class PermissiveKernelManager(CappedKernelManager):
    def __init__(self, **kwargs):
        kwargs["allowed_message_types"] = []  # jupyter_server: an empty list allows every type
        super().__init__(**kwargs)
