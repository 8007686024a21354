"""A local, faithful Extruct Deep Search server (the sandbox).

An independent implementation of the documented API, written from Extruct's
API pages and ``openapi/upstream.yaml``, not from the client: it imports
nothing from the rest of ``extruct_deep_search`` (a test walks its imports),
so the client and the server cannot share a bug. Shipped under the ``sandbox``
extra: ``pip install 'extruct-deep-search[sandbox]'`` (Starlette, uvicorn).

``with Sandbox(seed=0) as sb:`` serves the API on ``sb.base_url`` with token
``sb.token``; ``python -m extruct_deep_search.sandbox --port 8787`` does the
same from a shell. The modules, one job each:

- ``lifecycle``: task statuses and the transition table;
- ``simulation``: candidate pools, grades and progress (``corpus`` holds the
  companies, ``matching`` grades them against query and criteria);
- ``responses``: the JSON of tasks and results;
- ``state``: the in-memory store of organizations, tokens, tasks and tables;
- ``models``: the records these share;
- ``validation``: request schemas; ``faults``: fault injection;
- ``app``: the ASGI app; ``server``: uvicorn in a thread; ``process``: a
  sandbox in its own process; ``cli``: the command line.
"""

try:
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as exc:  # the client alone does not need them
    raise ImportError(
        f"the sandbox needs the 'sandbox' extra ({exc.name} is not installed): "
        "pip install 'extruct-deep-search[sandbox]'",
        name=exc.name,
    ) from exc

from .faults import FaultPlan, FaultRule
from .process import SandboxProcess
from .server import Sandbox

__all__ = ["FaultPlan", "FaultRule", "Sandbox", "SandboxProcess"]
