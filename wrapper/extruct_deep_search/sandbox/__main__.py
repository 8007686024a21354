"""``python -m extruct_deep_search.sandbox``."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
