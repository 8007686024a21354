"""``python -m extruct_deep_search``: the command line (see :mod:`extruct_deep_search.cli`)."""

from __future__ import annotations

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while importing: exit as the command line does, quietly
    raise SystemExit(130) from None

raise SystemExit(main())
