"""perfxl's entry point: the ``perfxl`` console script and ``python -m perfxl``.

The commands are typer's, in :mod:`perfxl.commands`. Importing typer and building the commands
costs more than a clerk should wait for ``perfxl --help``, so the help of perfxl and of each
command is answered from ``help.json``: the exact text typer prints, written by
``python -m perfxl.docs`` (checked by ``python -m perfxl.docs --check`` and
tests/test_startup.py). It is used only where it is that text: the commands' source is the one
it was written from (its SHA-256), the help is laid out at typer's usual width (a terminal of at
least 80 columns, or none) and the program name is one it holds. Anything else goes to typer.

``from perfxl.cli import app`` still gives the typer app (imported on first use).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

HELP_CACHE = Path(__file__).with_name("help.json")
COMMANDS_SOURCE = Path(__file__).with_name("commands.py")
HELP_COLUMNS = 80  # click lays help out at min(columns, 80) - 2: any terminal this wide gives the same text
PROGRAM_NAMES = ("perfxl", "python -m perfxl")  # the console script, and the module


def commands_fingerprint() -> str:
    return hashlib.sha256(COMMANDS_SOURCE.read_bytes()).hexdigest()


def program_name() -> str:
    """The name typer's click shows after "Usage:" (as its ``_detect_program_name`` finds it)."""
    main = sys.modules.get("__main__")
    path = sys.argv[0] if sys.argv else ""
    package = getattr(main, "__package__", None)
    if not package:
        return os.path.basename(path)
    name = os.path.splitext(os.path.basename(path))[0]
    module = package if name == "__main__" else f"{package}.{name}"
    return f"python -m {module.lstrip('.')}"


def quick_help(args: list[str]) -> str | None:
    """The help typer would print for these arguments, or None where that is not known for sure."""
    if args == ["--help"]:
        command = ""
    elif len(args) == 2 and args[1] == "--help" and not args[0].startswith("-"):
        command = args[0]
    else:
        return None
    if os.name == "nt" or shutil.get_terminal_size().columns < HELP_COLUMNS:
        return None
    try:
        cache = json.loads(HELP_CACHE.read_text(encoding="utf-8"))
        fingerprint = commands_fingerprint()
    except (OSError, ValueError):
        return None
    if not isinstance(cache, dict) or cache.get("fingerprint") != fingerprint:
        return None
    text = cache.get("help", {}).get(program_name(), {}).get(command)
    return text if isinstance(text, str) else None


def run() -> None:  # console-script entry point
    """Exit codes: 0 clean, 1 errors in the input, 2 usage, 3 an internal failure (a bug of
    perfxl's, never the input's fault), 130 interrupted."""
    text = quick_help(sys.argv[1:])
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        sys.exit(0)
    from .commands import run as run_commands

    run_commands()


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    from . import commands

    return getattr(commands, name)


if __name__ == "__main__":
    run()
