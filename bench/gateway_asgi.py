"""The trackgate application as a module-level ASGI app, for servers that import an app by
name (granian): settings come from ``TRACKGATE_*`` as for ``trackgate serve``."""

from __future__ import annotations

import logging

from trackgate.app import create_app
from trackgate.cli.serve import freeze_startup_heap
from trackgate.config import load_settings
from trackgate.runtime import build_runtime

logging.basicConfig(level=logging.WARNING)
app = create_app(build_runtime(load_settings()))
freeze_startup_heap()
