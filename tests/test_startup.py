"""What a small command imports (issue 15, the small end): the heavy libraries only where used.

Timings are measured in bench/small.py, never asserted here; what is pinned is which modules a
command's process loads, which does not depend on the machine's speed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import perfxl.cli as cli
from perfxl.api import fill_forms

HEAVY = ("xlsxwriter", "openpyxl", "jsonschema", "pandas", "numpy", "pydantic", "rich", "python_calamine",
         "jsonschema_rs", "multiprocessing")

# Runs the CLI in a fresh interpreter and prints, at exit, which top-level packages were loaded
# (in the parent process: workers are forked and exit on their own).
_PROBE = """
import atexit, json, os, sys
parent = os.getpid()
def report():
    if os.getpid() == parent:
        print("MODULES " + json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.__stderr__)
atexit.register(report)
sys.argv = ["perfxl"] + sys.argv[1:]
from perfxl.cli import run
run()
"""


def _loaded(*args: str, cwd: Path) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)
    [line] = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    return set(json.loads(line.removeprefix("MODULES ")))


def test_importing_the_cli_loads_no_heavy_library(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", "import json, sys, perfxl.cli; "
                           "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert "perfxl" in loaded and "typer" in loaded  # the probe sees what it should
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["collect", "--help"], ["--version"]])
def test_help_loads_no_heavy_library(args, tmp_path):
    loaded = _loaded(*args, cwd=tmp_path)
    assert "perfxl" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_validate_and_collect_load_only_what_they_use(tmp_path):
    [book] = fill_forms([EXAMPLES / "04.json"], tmp_path / "in")
    validate = _loaded("validate", str(book), "--workers", "1", cwd=tmp_path)
    assert {"python_calamine", "multiprocessing"} <= validate  # it did read the workbook
    # no writer, no progress bar off a terminal, no pydantic for plain arguments, python-jsonschema
    # only in a worker that meets an invalid form
    assert validate.isdisjoint({"xlsxwriter", "openpyxl", "pandas", "numpy", "pydantic", "rich", "jsonschema"})
    collect = _loaded("collect", str(tmp_path / "in"), "--out", str(tmp_path / "m.xlsx"), "-q", cwd=tmp_path)
    assert "xlsxwriter" in collect and (tmp_path / "m.xlsx").is_file()
    assert collect.isdisjoint({"openpyxl", "pandas", "numpy", "pydantic", "rich", "jsonschema"})


# --- the plain coercion agrees with typer's own ------------------------------------------------------

def _params():
    import typer.main

    group = typer.main.get_command(cli.app)
    found = [(None, p) for p in group.params if getattr(p, "type_descriptor", None) is not None]
    for name, command in group.commands.items():
        found += [(name, p) for p in command.params if getattr(p, "type_descriptor", None) is not None]
    return group, found


GROUP, PARAMS = _params()


def _typer(param, value):
    from typer._click import Context
    from typer._click.exceptions import BadParameter
    from typer._coercion import build_runtime_param

    try:
        return ("ok", build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=Context(GROUP)))
    except BadParameter as exc:
        return ("error", exc.format_message())


def _ours(param, value):
    from typer._click import Context
    from typer._click.exceptions import BadParameter

    try:
        return ("ok", param._runtime_param.coerce(value, param=param, ctx=Context(GROUP)))
    except BadParameter as exc:
        return ("error", exc.format_message())


def test_every_parameter_takes_the_plain_path():
    assert PARAMS and all(isinstance(p._runtime_param, cli._PlainValues) for _, p in PARAMS)
    kinds = {repr(p.type_descriptor.annotation) for _, p in PARAMS}
    assert {"<class 'int'>", "<class 'str'>", "<class 'pathlib.Path'>", "list[pathlib.Path]"} <= kinds


def _samples(tmp: Path) -> list:
    unreadable = tmp / "unreadable.txt"
    unreadable.write_text("x")
    unreadable.chmod(0)
    (tmp / "file.txt").write_text("x")
    texts = ["", "abc", "汇总.xlsx", "-", "0", "1", "2", "7", "50", "51", "007", "+3", " 3", "3 ", "3_0", "1.5",
             "0x10", "３", "-1", "999999999", "9999999999", "1e3", str(tmp), str(tmp / "file.txt"),
             str(tmp / "missing.xlsx"), str(unreadable), "a\x00b"]
    return [None, 3, 0, 51, Path("汇总.xlsx"), Path(tmp), (), ("a.json",), (str(tmp), str(tmp / "file.txt")),
            ("x", "1.5"), *texts]


def test_plain_coercion_agrees_with_typer(tmp_path):
    """Every value either converts exactly as typer's pydantic coercion does (same value, same
    type) or is handed to it (so errors are worded by typer, as before)."""
    for name, param in PARAMS:
        for value in _samples(tmp_path):
            multiple = param.multiple or param.nargs == -1
            if multiple and isinstance(value, str) or not multiple and isinstance(value, tuple):
                continue  # click never hands these over
            theirs, ours = _typer(param, value), _ours(param, value)
            assert ours == theirs, (name, param.name, value)
            assert type(ours[1]) is type(theirs[1]), (name, param.name, value)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=12), st.from_regex(r"[0-9]{1,12}", fullmatch=True)))
def test_plain_integers_agree_with_typer(text):
    for name, param in PARAMS:
        if param.type_descriptor.annotation in (int, str):
            assert _ours(param, text) == _typer(param, text), (name, param.name, text)
