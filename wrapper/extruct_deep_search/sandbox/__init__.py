"""A local, faithful Extruct Deep Search server (the sandbox).

``with Sandbox(seed=0) as sb:`` serves the API on ``sb.base_url`` with token
``sb.token``; ``python -m extruct_deep_search.sandbox --port 8787`` does the
same from a shell. The modules: ``state`` (pure state machine), ``corpus``
(companies), ``validation`` (request schemas), ``faults`` (fault injection),
``app`` (ASGI app), ``server`` (uvicorn thread), ``process`` (a sandbox in its
own process), ``cli`` (command line).
"""

from .faults import FaultPlan, FaultRule
from .process import SandboxProcess
from .server import Sandbox

__all__ = ["FaultPlan", "FaultRule", "Sandbox", "SandboxProcess"]
