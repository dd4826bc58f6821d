"""The import contracts in pyproject.toml hold, and bite when broken.

Each case copies the two packages and pyproject.toml to a temporary folder,
adds one import there, and runs lint-imports on the copy alone, so the tree
under test is never touched and the linter cannot see the original.
"""

import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = Path(sysconfig.get_path("scripts")) / "lint-imports"

RAPTOR_CONTRACT = "Raptor reaches Queue only through its public contract"
CLIENT_CONTRACT = "Queue's contract imports nothing else of Queue's"
QUEUE_CONTRACT = "Queue never imports Raptor"


def copy_tree(destination: Path) -> Path:
    """The packages and their contracts, as the repository has them now."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "backend_v2", destination / "backend_v2", ignore=ignore)
    shutil.copytree(
        ROOT / "queue" / "queue_identity",
        destination / "queue" / "queue_identity",
        ignore=ignore,
    )
    shutil.copy(ROOT / "pyproject.toml", destination)
    return destination


def add_import(tree: Path, module: str, statement: str) -> None:
    path = tree / module
    path.write_text(path.read_text() + f"\n{statement}\n")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, ahead of the installed packages.
    pythonpath = os.pathsep.join([str(tree), str(tree / "queue")])
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": pythonpath, "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )


def test_import_contracts_clean_tree_passes(tmp_path: Path) -> None:
    result = lint_imports(copy_tree(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    "statement",
    [
        "from queue_identity import client",
        "import queue_identity.client",
        "from queue_identity.client import Identity",
    ],
)
def test_import_contracts_raptor_importing_the_client_passes(
    tmp_path: Path, statement: str
) -> None:
    tree = copy_tree(tmp_path)
    add_import(tree, "backend_v2/api/views.py", statement)

    result = lint_imports(tree)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    [
        (
            "backend_v2/api/views.py",
            "from queue_identity import views",
            RAPTOR_CONTRACT,
        ),
        ("backend_v2/api/identity.py", "import queue_identity", RAPTOR_CONTRACT),
        ("backend_v2/__init__.py", "import queue_identity.models", RAPTOR_CONTRACT),
        ("queue/queue_identity/client.py", "from . import errors", CLIENT_CONTRACT),
        ("queue/queue_identity/views.py", "import backend_v2.api", QUEUE_CONTRACT),
    ],
    ids=["raptor-views", "raptor-package", "raptor-root", "client", "queue"],
)
def test_import_contracts_forbidden_import_fails(
    tmp_path: Path, module: str, statement: str, contract: str
) -> None:
    tree = copy_tree(tmp_path)
    add_import(tree, module, statement)

    result = lint_imports(tree)

    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout
