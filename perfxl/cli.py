"""perfxl's entry point: the ``perfxl`` console script and ``python -m perfxl``.

The commands are typer's, in :mod:`perfxl.commands`. Importing typer and building the commands
costs more than a clerk should wait for ``perfxl --help``, so the help of perfxl and of each
command is answered from ``help.json``: the exact text typer prints, written by
``python -m perfxl.docs`` (checked by ``python -m perfxl.docs --check`` and
tests/test_startup.py). It is used only where it is that text: the commands' source is the one
it was written from (its SHA-256), the help is laid out at typer's usual width (a terminal of at
least 80 columns, or none) and the program name is one it holds. Anything else goes to typer.

The commands a clerk runs most, ``validate`` and ``collect``, are also run without typer when
their command line is plain: options spelled out once each, their values plain (a path, a word, a
number in range), no ``--help``. ``help.json`` holds these commands' parameters as typer builds
them (same SHA-256 check); :func:`quick_call` reads a command line with them exactly as typer
would (tests/test_startup.py compares both on generated command lines) or declines, and typer
then reads it: every usage error, with its message, still comes from typer.

``from perfxl.cli import app`` still gives the typer app (imported on first use).
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

HELP_CACHE = Path(__file__).with_name("help.json")
COMMANDS_SOURCE = Path(__file__).with_name("commands.py")
HELP_COLUMNS = 80  # click lays help out at min(columns, 80) - 2: any terminal this wide gives the same text
PROGRAM_NAMES = ("perfxl", "python -m perfxl")  # the console script, and the module
QUICK_COMMANDS = ("validate", "collect")  # run by perfxl.console without typer when plain
_DIGITS = "[0-9]{1,9}"  # an integer typer's coercion takes as it is (perfxl.commands._DIGITS)


def _sha256():
    """SHA-256 from CPython's own module where it has one: hashlib loads OpenSSL (≈ 3 ms of
    ``--help``) for this one digest. The same digest either way."""
    try:
        from _sha256 import sha256  # CPython 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # CPython 3.12 and later
        except ImportError:
            from hashlib import sha256
    return sha256


def commands_fingerprint() -> str:
    return _sha256()(COMMANDS_SOURCE.read_bytes()).hexdigest()


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


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, without importing shutil (and the archive modules it
    loads, ≈ 2 ms of ``--help``): $COLUMNS when a positive number, else the terminal's width, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _cache() -> dict | None:
    """help.json when it was written from this commands.py, else None."""
    try:
        cache = json.loads(HELP_CACHE.read_text(encoding="utf-8"))
        fingerprint = commands_fingerprint()
    except (OSError, ValueError):
        return None
    if not isinstance(cache, dict) or cache.get("fingerprint") != fingerprint:
        return None
    return cache


def quick_help(args: list[str]) -> str | None:
    """The help typer would print for these arguments, or None where that is not known for sure."""
    if args == ["--help"]:
        command = ""
    elif len(args) == 2 and args[1] == "--help" and not args[0].startswith("-"):
        command = args[0]
    else:
        return None
    if os.name == "nt" or terminal_columns() < HELP_COLUMNS:
        return None
    cache = _cache()
    if cache is None:
        return None
    text = cache.get("help", {}).get(program_name(), {}).get(command)
    return text if isinstance(text, str) else None


def _plain_path(text: str, spec: dict) -> Path | None:
    """The Path typer makes of this text, or None where typer might refuse it or make it otherwise
    (as perfxl.commands._plain_path: empty, NUL, ``-``, an existing path that cannot be read)."""
    if not text or "\x00" in text or text == "-":
        return None
    try:
        os.stat(text)
    except OSError:
        return Path(text)
    if spec.get("readable") and not os.access(text, os.R_OK):
        return None
    return Path(text)


def _plain_value(text: str, spec: dict):
    """A value as typer converts it, or None where typer might do otherwise or refuse it."""
    if spec["type"] == "str":
        return text
    if spec["type"] == "int":
        import re

        if not re.fullmatch(_DIGITS, text):
            return None
        number = int(text)
        low, high = spec.get("min"), spec.get("max")
        return number if (low is None or number >= low) and (high is None or number <= high) else None
    if spec["type"] == "path":
        return _plain_path(text, spec)
    return None


def parse_plain(args: list[str], params: list[dict]) -> dict | None:
    """The keyword arguments typer would call a command with for these arguments (what follows the
    command's name), or None where that is not certain: an unknown option (``--help`` among
    them), one given twice, ``--``, a value beginning with ``-``, a value typer might convert
    otherwise or refuse, no argument where one is required. Nothing here prints or exits."""
    options = {opt: spec for spec in params if spec["kind"] != "argument" for opt in spec["opts"]}
    arguments = [spec for spec in params if spec["kind"] == "argument"]
    if len(arguments) != 1:
        return None
    given: dict[str, object] = {}
    positional: list[str] = []
    tokens = iter(args)
    for token in tokens:
        if token[:1] != "-" or token == "-":  # click: "-" alone is an argument, not an option
            positional.append(token)
            continue
        name, equals, value = token.partition("=") if token.startswith("--") else (token, "", "")
        spec = options.get(name)
        if spec is None or spec["name"] in given:
            return None
        if spec["kind"] == "flag":
            if equals:
                return None
            given[spec["name"]] = True
            continue
        if not equals:
            value = next(tokens, None)
            if value is None:
                return None
        if value.startswith("-"):
            return None
        converted = _plain_value(value, spec)
        if converted is None:
            return None
        given[spec["name"]] = converted
    [argument] = arguments
    paths = [_plain_path(text, argument) for text in positional]
    if not paths or any(path is None for path in paths):
        return None
    values: dict[str, object] = {argument["name"]: paths}
    for spec in params:
        if spec["kind"] == "argument":
            continue
        if spec["name"] in given:
            values[spec["name"]] = given[spec["name"]]
        elif spec["kind"] == "flag":
            values[spec["name"]] = False
        elif spec["default"] is None:
            values[spec["name"]] = None
        else:
            default = _plain_value(spec["default"], spec)
            if default is None:
                return None
            values[spec["name"]] = default
    return values


def quick_call(args: list[str]) -> tuple[str, dict] | None:
    """(command, keyword arguments) for a plain ``validate`` or ``collect`` command line, as typer
    would call it; None for anything else, or where typer would do more than parse (shell
    completion asked for by an environment variable, Windows' wildcard expansion)."""
    if not args or args[0] not in QUICK_COMMANDS or os.name == "nt":
        return None
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None
    cache = _cache()
    params = cache.get("commands", {}).get(args[0]) if cache is not None else None
    if not isinstance(params, list):
        return None
    values = parse_plain(args[1:], params)
    return None if values is None else (args[0], values)


def _run_quick(command: str, values: dict) -> None:  # never returns: SystemExit
    """The command called as typer calls it, its endings as typer and perfxl.commands.run make
    them: SystemExit passes; EOF and Ctrl-C as typer's main turns them into exit codes; a broken
    pipe exit 1 quietly; anything else an internal failure (exit 3)."""
    from . import console

    try:
        getattr(console, command)(**values)
    except EOFError:  # typer: a newline, then Abort, which perfxl.commands.run reports
        console.echo("", err=True)
        console.echo(console.INTERRUPTED, err=True)
        sys.exit(130)
    except KeyboardInterrupt:  # typer: Exit(130), silently
        sys.exit(130)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            console.internal_error(exc)
        # only now (a reader closed the pipe): click's wrapper, as typer's main installs it
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)
        sys.stderr = PacifyFlushWrapper(sys.stderr)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - a bug: said plainly, as perfxl.commands.run does
        console.internal_error(exc)
    sys.exit(0)  # not reached: a command ends with SystemExit


def run() -> None:  # console-script entry point
    """Exit codes: 0 clean, 1 errors in the input, 2 usage, 3 an internal failure (a bug of
    perfxl's, never the input's fault), 130 interrupted."""
    text = quick_help(sys.argv[1:])
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        sys.exit(0)
    quick = quick_call(sys.argv[1:])
    if quick is not None:
        _run_quick(*quick)
    from .commands import run as run_commands

    run_commands()


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)
    from . import commands

    return getattr(commands, name)


if __name__ == "__main__":
    run()
