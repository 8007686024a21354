"""The sandbox is an independent implementation: it imports nothing of the client."""

from __future__ import annotations

import ast
from pathlib import Path

import extruct_deep_search.sandbox as sandbox_package
import pytest

PACKAGE = "extruct_deep_search.sandbox"
ROOT = Path(sandbox_package.__file__).parent


def foreign_imports(source: str, depth: int = 1) -> list[str]:
    """Imports that leave the sandbox package, in a module ``depth`` folders below the client.

    ``depth`` is 1 for a module directly in the sandbox package: a relative import
    of level 1 stays in the package, level 2 reaches the client.
    """
    bad = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            if node.level > depth:
                bad.append(f"line {node.lineno}: from {'.' * node.level}{node.module or ''}")
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            inside = name == PACKAGE or name.startswith(PACKAGE + ".")
            if name.split(".")[0] == "extruct_deep_search" and not inside:
                bad.append(f"line {node.lineno}: import {name}")
    return bad


def test_no_sandbox_module_imports_the_client() -> None:
    modules = sorted(ROOT.rglob("*.py"))
    assert len(modules) >= 10
    found = {
        str(p.relative_to(ROOT)): foreign_imports(p.read_text(), len(p.relative_to(ROOT).parts))
        for p in modules
    }
    assert {name: bad for name, bad in found.items() if bad} == {}


@pytest.mark.parametrize(
    "source",
    [
        "from .._core.domains import registered_domain",
        "from .. import DeepSearch",
        "import extruct_deep_search._core",
        "import extruct_deep_search",
        "from extruct_deep_search import DeepSearch",
        "from extruct_deep_search._core import domains",
        "def f():\n    import extruct_deep_search.shortlist",
        "try:\n    pass\nexcept ImportError:\n    from extruct_deep_search.exports import write_csv",
    ],
)
def test_the_check_catches_client_imports(source: str) -> None:
    assert foreign_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "from .domains import registered_domain",
        "from . import state",
        "import extruct_deep_search.sandbox.state",
        "from extruct_deep_search.sandbox.faults import ACTED",
        "import tldextract, starlette",
    ],
)
def test_the_check_lets_sandbox_imports_through(source: str) -> None:
    assert foreign_imports(source) == []


def test_the_package_says_what_it_is() -> None:
    doc = sandbox_package.__doc__ or ""
    assert "independent implementation" in doc
    assert "extruct-deep-search[sandbox]" in doc
