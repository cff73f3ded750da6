from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests run the same examples on every run by default, so CI is reproducible; explore
# new ones with `pytest --hypothesis-profile=explore` (and keep any failure as an @example).
settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile("default")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "forms"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def load_example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def soffice() -> str:
    """LibreOffice, which tests/run.sh installs. Missing means a broken setup: fail, never skip."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        pytest.fail("LibreOffice (soffice) is not installed; run the tests with `sh tests/run.sh`, "
                    "which installs libreoffice-calc-nogui.")
    return path


DELETE = object()  # a value for set_paths: remove the key


def set_paths(form: dict, changes) -> dict:
    """Set (or, with DELETE, remove) dotted paths such as ``indicators.7.target`` in ``form``, in place."""
    for path, value in changes:
        *parents, last = path.split(".")
        node = form
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
    return form
