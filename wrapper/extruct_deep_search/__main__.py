"""``python -m extruct_deep_search``: the command line (see :mod:`extruct_deep_search.cli`)."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
