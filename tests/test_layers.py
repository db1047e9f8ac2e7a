"""The layers of the house: the core imports no web code, and the server no CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "neuralab"
CORE = [*SRC.glob("nn/*.py"), *SRC.glob("labs/*.py"), *SRC.glob("labs/*/*.py"),
        *SRC.glob("data/*.py"), SRC / "params.py", SRC / "cluster.py", SRC / "blas.py"]
WEB = ("neuralab.server", "neuralab.web", "neuralab.cli", "fastapi", "starlette", "uvicorn")


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(SRC)))
def test_the_core_imports_no_web_code(path):
    upward = {n for n in imports(path) if n.startswith(WEB)}
    assert not upward, f"{path.name} imports {upward}"


@pytest.mark.parametrize("path", sorted(SRC.glob("server/**/*.py")),
                         ids=lambda p: str(p.relative_to(SRC)))
def test_the_server_does_not_import_the_command_line(path):
    assert not {n for n in imports(path) if n.startswith("neuralab.cli")}
