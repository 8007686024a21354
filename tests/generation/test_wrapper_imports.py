"""The wrapper reaches the generated package only through ``_gen.py``.

Everything else in ``wrapper/extruct_deep_search`` imports from ``._gen``, so a
regeneration that renames a generated module breaks exactly one file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import ROOT

GENERATED = "extruct_deep_search_client"
WRAPPER = ROOT / "wrapper" / "extruct_deep_search"
ALLOWED = WRAPPER / "_gen.py"


def _is_generated(module: str) -> bool:
    return module == GENERATED or module.startswith(GENERATED + ".")


def generated_imports(source: str, filename: str = "<string>") -> list[int]:
    """Line numbers where ``source`` imports the generated package.

    Covers ``import x``, ``from x import y`` (absolute only) and
    ``importlib.import_module("x...")`` / ``__import__("x...")`` with a literal name.
    """
    lines: list[int] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            if any(_is_generated(alias.name) for alias in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module and _is_generated(node.module):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = node.args[0]
            if (
                name in {"import_module", "__import__"}
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and _is_generated(arg.value)
            ):
                lines.append(node.lineno)
    return sorted(lines)


def offenders(root: Path) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in sorted(root.rglob("*.py")):
        if path == root / "_gen.py" or "__pycache__" in path.parts:
            continue
        hits = generated_imports(path.read_text(encoding="utf-8"), str(path))
        if hits:
            found[str(path.relative_to(root))] = hits
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import extruct_deep_search_client",
        "import extruct_deep_search_client.models as m",
        "import os, extruct_deep_search_client.api.company_discovery.get_task",
        "from extruct_deep_search_client import AuthenticatedClient",
        "from extruct_deep_search_client.models import Status",
        "def f():\n    from extruct_deep_search_client.types import UNSET\n",
        "if TYPE_CHECKING:\n    from extruct_deep_search_client.client import Client\n",
        "import importlib\nimportlib.import_module('extruct_deep_search_client.api')",
        "__import__('extruct_deep_search_client')",
    ],
)
def test_checker_flags_generated_imports(source: str) -> None:
    assert generated_imports(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "from ._gen import AuthenticatedClient, Status",
        "from . import _gen",
        "from extruct_deep_search._gen import get_task",
        "import extruct_deep_search_client_extras",
        "from .extruct_deep_search_client import x",
        "name = 'extruct_deep_search_client'",
        "import httpx",
    ],
)
def test_checker_allows_other_imports(source: str) -> None:
    assert generated_imports(source) == []


def test_offenders_finds_a_module_other_than_gen(tmp_path: Path) -> None:
    pkg = tmp_path / "extruct_deep_search"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "_gen.py").write_text("from extruct_deep_search_client import models\n")
    (pkg / "client.py").write_text("from ._gen import models\n")
    (pkg / "sub" / "bad.py").write_text("import json\n\nfrom extruct_deep_search_client import x\n")
    assert offenders(pkg) == {"sub/bad.py": [3]}


def test_only_gen_imports_the_generated_package() -> None:
    assert WRAPPER.is_dir(), WRAPPER
    assert offenders(WRAPPER) == {}, (
        "import the generated client only in wrapper/extruct_deep_search/_gen.py"
    )
