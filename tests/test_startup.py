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

from perfxl import cli
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
        print("MODULES " + json.dumps(sorted(sys.modules)), file=sys.__stderr__)
atexit.register(report)
sys.argv = ["perfxl"] + sys.argv[1:]
from perfxl.cli import run
run()
"""


def _loaded(*args: str, cwd: Path, modules: bool = False) -> set[str]:
    """The top-level packages the parent process loaded (with ``modules``: every module)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=300, check=False)
    [line] = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    loaded = set(json.loads(line.removeprefix("MODULES ")))
    return loaded if modules else {name.split(".")[0] for name in loaded}


@pytest.mark.parametrize("module", ["perfxl.cli", "perfxl.commands"])
def test_importing_the_cli_loads_no_heavy_library(module, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = f"import json, sys, {module}; print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", code],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert "perfxl" in loaded  # the probe sees what it should
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
    assert ("typer" in loaded) == (module == "perfxl.commands")  # the entry point alone needs no typer


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["collect", "--help"], ["--version"]])
def test_help_loads_no_heavy_library(args, tmp_path):
    loaded = _loaded(*args, cwd=tmp_path)
    assert "perfxl" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
    assert ("typer" in loaded) == (args == ["--version"])  # help comes from help.json


def test_validate_and_collect_load_only_what_they_use(tmp_path):
    [book] = fill_forms([EXAMPLES / "04.json"], tmp_path / "in")
    validate = _loaded("validate", str(book), "--workers", "1", cwd=tmp_path)
    assert {"python_calamine", "multiprocessing"} <= validate  # it did read the workbook
    # no writer, no progress bar off a terminal, no typer for a plain command line (perfxl.cli.quick_call),
    # python-jsonschema only in a worker that meets an invalid form
    assert validate.isdisjoint({"xlsxwriter", "openpyxl", "pandas", "numpy", "pydantic", "rich", "jsonschema",
                                "typer", "tomllib"})
    collect = _loaded("collect", str(tmp_path / "in"), "--out", str(tmp_path / "m.xlsx"), "-q", cwd=tmp_path)
    assert "xlsxwriter" in collect and (tmp_path / "m.xlsx").is_file()
    assert collect.isdisjoint({"openpyxl", "pandas", "numpy", "pydantic", "rich", "jsonschema", "typer", "tomllib"})
    # a target table needs neither the self-evaluation's scoring nor monitoring's checks (nor tomllib
    # without a perfxl.toml): imported where a form of those kinds is met
    modules = _loaded("validate", str(book), "--workers", "1", cwd=tmp_path, modules=True)
    assert {"perfxl.check.file", "perfxl.check.review", "perfxl.read.workbook"} <= modules
    assert modules.isdisjoint({"perfxl.check.scoring", "perfxl.check.monitoring", "perfxl.check.selfeval",
                               "perfxl.form.selfeval", "fractions", "tomllib", "csv"}), sorted(modules)
    # a command line typer has to read (here: an unknown option) still gets typer's usage error
    wrong = _loaded("validate", str(book), "--nosuch", cwd=tmp_path)
    assert "typer" in wrong


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


# --- help from help.json is typer's help ----------------------------------------------------------

COMMANDS = [""] + [c.name or c.callback.__name__ for c in cli.app.registered_commands]


def test_help_cache_is_current():
    import hashlib

    from perfxl.docs import render_help_cache

    assert cli.commands_fingerprint() == hashlib.sha256(cli.COMMANDS_SOURCE.read_bytes()).hexdigest()

    assert cli.HELP_CACHE.read_text(encoding="utf-8") == render_help_cache(), \
        "perfxl/help.json is stale: run `python -m perfxl.docs`"
    assert set(json.loads(cli.HELP_CACHE.read_text(encoding="utf-8"))["help"]["perfxl"]) == set(COMMANDS)


def _run(argv: list[str], columns: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": columns}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=120, check=False)


@pytest.mark.parametrize("columns", ["80", "200"])
def test_quick_help_is_what_typer_prints(columns, tmp_path):
    """In real processes, on a pipe: ``python -m perfxl … --help`` (answered from help.json) and
    typer itself (perfxl.commands, no quick answer), byte for byte, for every command."""
    typer_help = "import sys; from perfxl.commands import app; app(sys.argv[1:], prog_name='python -m perfxl')"
    for command in COMMANDS:
        args = [command, "--help"] if command else ["--help"]
        quick = _run([sys.executable, "-m", "perfxl", *args], columns, tmp_path)
        typer = _run([sys.executable, "-c", typer_help, *args], columns, tmp_path)
        assert quick.returncode == typer.returncode == 0, (command, quick.stderr, typer.stderr)
        assert quick.stdout == typer.stdout and quick.stdout.startswith("用法：python -m perfxl".encode()), command


def test_quick_help_of_the_console_script(tmp_path):
    """The installed ``perfxl`` script: its program name is the script's file name."""
    script = tmp_path / "perfxl"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom perfxl.cli import run\nsys.exit(run())\n",
                      encoding="utf-8")
    script.chmod(0o755)
    typer_help = "import sys; from perfxl.commands import app; app(sys.argv[1:], prog_name='perfxl')"
    for args in (["--help"], ["collect", "--help"]):
        quick = _run([str(script), *args], "80", tmp_path)
        typer = _run([sys.executable, "-c", typer_help, *args], "80", tmp_path)
        assert quick.returncode == typer.returncode == 0
        assert quick.stdout == typer.stdout and quick.stdout.startswith("用法：perfxl ".encode())


@pytest.mark.parametrize("columns", [None, "", "abc", "0", "-5", "79", "80", "200"])
def test_terminal_columns_are_shutils(monkeypatch, columns):
    import shutil

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    for lines in (None, "30"):
        if lines is None:
            monkeypatch.delenv("LINES", raising=False)
        else:
            monkeypatch.setenv("LINES", lines)
        assert cli.terminal_columns() == shutil.get_terminal_size().columns


def test_quick_help_only_where_it_is_known(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr(sys, "argv", ["perfxl"])
    monkeypatch.setitem(sys.modules, "__main__", type(sys)("__main__"))  # a script, not python -m
    assert cli.quick_help(["--help"]).startswith("用法：perfxl [选项]")
    assert cli.quick_help(["validate", "--help"]).startswith("用法：perfxl validate")
    for args in (["--help", "validate"], ["validate", "x", "--help"], ["nosuch", "--help"], ["-q", "--help"], []):
        assert cli.quick_help(args) is None, args
    monkeypatch.setenv("COLUMNS", "79")  # a narrow terminal: typer lays the help out anew
    assert cli.quick_help(["--help"]) is None
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setattr(cli, "COMMANDS_SOURCE", cli.COMMANDS_SOURCE.with_name("missing.py"))  # no source
    assert cli.quick_help(["--help"]) is None
    monkeypatch.setattr(cli, "commands_fingerprint", lambda: "0" * 64)  # commands.py edited since
    assert cli.quick_help(["--help"]) is None


def test_one_command_built_reads_as_all_built(tmp_path):
    """A run builds only the command it names (perfxl.commands.run); usage errors, help on a
    narrow terminal and unknown commands read exactly as with every command built."""
    scripts = {}
    for kind, body in (("one", "from perfxl.cli import run\nrun()\n"),
                       ("all", "import perfxl.commands as c\nc._only = lambda name: c.app.registered_commands\n"
                               "c.run()\n")):
        (tmp_path / kind).mkdir()
        scripts[kind] = tmp_path / kind / "perfxl"
        scripts[kind].write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
        scripts[kind].chmod(0o755)
    cases = [["validate", "--workers", "abc", "x"], ["collect"], ["template", "--rows", "99"], ["validate", "--help"],
             ["nosuch"], ["forms"], ["read", str(tmp_path / "missing.xlsx")], ["--version"], []]
    for args in cases:
        one, every = (_run([str(scripts[kind]), *args], "60", tmp_path) for kind in ("one", "all"))
        assert (one.returncode, one.stdout, one.stderr) == (every.returncode, every.stdout, every.stderr), args
        assert one.stdout or one.stderr, args
    from perfxl import commands

    assert [c.callback.__name__ for c in commands._only("validate")] == ["validate"]
    assert commands._only("nosuch") == commands._only("--help") == commands.app.registered_commands


# --- validate and collect without typer: the same call, the same bytes ------------------------------

QUICK_SPECS = json.loads(cli.HELP_CACHE.read_text(encoding="utf-8"))["commands"]


def _typer_call(command: str, args: list[str]):
    """What typer's command (as perfxl.commands builds it) is called with, or the exception it ends in."""
    from typer import Exit
    from typer._click.exceptions import ClickException

    click_command = GROUP.commands[command]
    try:
        with click_command.make_context(command, list(args)) as ctx:
            return ctx.params
    except (ClickException, Exit) as exc:
        return exc


def _agrees(command: str, args: list[str]) -> bool:
    """Our plain parse is typer's, or it declines. Returns whether it took the command line."""
    ours = cli.parse_plain(list(args), QUICK_SPECS[command])
    if ours is None:
        return False
    theirs = _typer_call(command, args)
    assert isinstance(theirs, dict), (command, args, theirs)
    assert ours == theirs, (command, args)
    assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}, (command, args)
    assert all(type(p) is type(q) for p, q in zip(ours[_argument(command)], theirs[_argument(command)]))
    return True


def _argument(command: str) -> str:
    [name] = [spec["name"] for spec in QUICK_SPECS[command] if spec["kind"] == "argument"]
    return name


def test_quick_commands_are_the_console_functions():
    """help.json's parameters are typer's for validate and collect, and name exactly what
    perfxl.console's functions take (typer's commands call those same functions)."""
    import inspect

    from perfxl import console
    from perfxl.docs import quick_specs

    assert set(QUICK_SPECS) == set(cli.QUICK_COMMANDS) == {"validate", "collect"}
    assert QUICK_SPECS == quick_specs()
    for command in cli.QUICK_COMMANDS:
        names = [spec["name"] for spec in QUICK_SPECS[command]]
        assert names == list(inspect.signature(getattr(console, command)).parameters), command
        assert names == [p.name for p in GROUP.commands[command].params], command


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("places")
    (tmp / "book.xlsx").write_bytes(b"x")
    (tmp / "folder").mkdir()
    return tmp


def _tokens(places: Path) -> list[str]:
    return [str(places / "book.xlsx"), str(places / "folder"), str(places / "missing.xlsx"), "汇总.xlsx", "a=b",
            "", "-", "--", "--help", "--nosuch", "-x", "-1", "0", "1", "2", "007", "9999999999", "abc",
            "pujiang-2023", "saved", "mtime", "--json", "--json=1", "--form", "--form=x", "--form=", "--rules",
            "--no-review", "--workers", "--workers=2", "--workers=0", "--from", "--out", "-o", "-ox", "-o=x",
            "--out=m.xlsx", "--roster", "--prefer", "--prefer=path", "--jsonl", "--csv", "--feedback", "--quiet",
            "-q", "-qo", "--json-inputs", "--version"]


def test_plain_command_lines_are_parsed_as_typer_does(places):
    book, folder = str(places / "book.xlsx"), str(places / "folder")
    taken = [("validate", [book]), ("validate", [book, folder, "--json", "--workers", "1"]),
             ("validate", ["--form=pujiang-2023", book, "--no-review", "--rules", "x.toml", "--from", "t.jsonl"]),
             ("validate", [str(places / "missing.xlsx")]),
             ("collect", [folder, "--out", "m.xlsx", "-q"]), ("collect", [folder]),
             ("collect", [folder, book, "-o", "m.xlsx", "--roster", "r.csv", "--prefer", "mtime", "--jsonl", "f.jsonl",
                          "--csv", "csv", "--feedback", "退回", "--workers=2", "--json", "--json-inputs",
                          "--form", "x", "--rules", "r.toml", "--no-review", "--quiet"]),
             ("collect", [folder, "--prefer", "nope"])]  # a wrong word is the command's to refuse, not click's
    for command, args in taken:
        assert _agrees(command, args), (command, args)
    declined = [("validate", []), ("validate", [book, "--help"]), ("validate", [book, "--workers", "0"]),
                ("validate", [book, "--workers", "x"]), ("validate", [book, "--json", "--json"]),
                ("validate", ["-", book]), ("validate", [book, "--"]), ("collect", [folder, "-qo", "m.xlsx"]),
                ("collect", [folder, "--out"]), ("collect", [folder, "--out", "-m.xlsx"]), ("collect", [folder, "--out="]),
                ("collect", [folder, "--version"]), ("collect", [folder, "--quiet=yes"])]
    for command, args in declined:
        assert cli.parse_plain(args, QUICK_SPECS[command]) is None, (command, args)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["validate", "collect"]), st.lists(st.integers(0, 48), max_size=7))
def test_generated_command_lines_are_parsed_as_typer_does_or_declined(places, command, picks):
    tokens = _tokens(places)
    _agrees(command, [tokens[i % len(tokens)] for i in picks])


def test_quick_call_only_where_it_is_known(monkeypatch, places):
    book = str(places / "book.xlsx")
    assert cli.quick_call(["validate", book])[0] == "validate"
    assert cli.quick_call(["collect", book, "-q"])[0] == "collect"
    for args in (["read", book], ["--help"], [], ["validate", book, "--help"], ["Validate", book]):
        assert cli.quick_call(args) is None, args
    monkeypatch.setenv("_PERFXL_COMPLETE", "bash_source")  # click's shell completion: typer's to answer
    assert cli.quick_call(["validate", book]) is None
    monkeypatch.delenv("_PERFXL_COMPLETE")
    monkeypatch.setattr(cli, "commands_fingerprint", lambda: "0" * 64)  # commands.py edited since
    assert cli.quick_call(["validate", book]) is None


def test_quick_commands_read_as_typer_runs_them(tmp_path):
    """Whole processes: ``perfxl validate``/``collect`` run without typer (perfxl.cli.run) and by typer
    (perfxl.commands.run) give the same exit code, stdout, stderr and output files, byte for byte,
    for plain command lines, usage errors found by the command and messages with escape codes."""
    inbox = tmp_path / "in"
    fill_forms([EXAMPLES / "04.json", EXAMPLES / "05.json"], inbox, by_unit=True)
    [book, *_] = sorted(inbox.glob("*.xlsx"))
    bad_rules = tmp_path / "bad.toml"
    bad_rules.write_text("[rules.NOPE-001]\nenabled = false\n", encoding="utf-8")
    (tmp_path / "taken").mkdir()
    ansi = "x\x1b[31my.xlsx"  # a name with a terminal colour code: click removes it off a terminal
    scripts = {}
    for kind, body in (("quick", "from perfxl.cli import run\nrun()\n"),
                       ("typer", "from perfxl.commands import run\nrun()\n")):
        scripts[kind] = tmp_path / kind / "perfxl"
        scripts[kind].parent.mkdir()
        scripts[kind].write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
        scripts[kind].chmod(0o755)
    cases = [["validate", str(book), "--workers", "1"], ["validate", str(inbox), "--json", "--workers", "2"],
             ["validate", str(book), "--form", "nosuch"], ["validate", str(tmp_path / "missing.xlsx")],
             ["validate", str(book), "--rules", str(bad_rules)], ["validate", ansi],
             ["validate", str(book), "--from", str(tmp_path / "missing.jsonl")],
             ["collect", str(inbox), "--out", "{out}/m.xlsx", "-q", "--jsonl", "{out}/f.jsonl"],
             ["collect", str(inbox), "--out", "{out}/m.xlsx", "--workers", "1"],
             ["collect", str(inbox), "-o", "{out}/m.xlsx", "--json"], ["collect", str(inbox), "--prefer", "nope"],
             ["collect", str(inbox), "--out", str(tmp_path / "taken")], ["collect", ansi],
             ["collect", str(inbox), "--roster", str(tmp_path / "missing.csv")],
             ["collect", str(inbox), "--out", "{out}/m.xlsx", "--roster", str(ROOT / "examples" / "roster.csv")]]
    for number, case in enumerate(cases):
        runs = {}
        for kind, script in scripts.items():
            out = tmp_path / f"out-{number}-{kind}"
            out.mkdir()
            args = [arg.replace("{out}", str(out)) for arg in case]
            assert cli.quick_call(args) is not None, args  # every case is plain: the quick script runs it
            done = _run([str(script), *args], "80", tmp_path)
            shown = (done.returncode, done.stdout.replace(str(out).encode(), b"OUT"),
                     done.stderr.replace(str(out).encode(), b"OUT"))
            files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
            runs[kind] = (shown, files)
        assert runs["quick"] == runs["typer"], case
        (_, stdout, stderr), files = runs["quick"]
        assert stdout or stderr or files, case
        if ansi in case:  # never sent to the terminal: escaped (collect), or removed off a terminal as click does
            assert b"\x1b" not in stderr, stderr
            assert ("找不到：xy.xlsx" if case[0] == "validate" else "找不到：x\\x1b[31my.xlsx").encode() in stderr


def test_usage_errors_let_a_commands_own_ending_pass(capsys):
    """perfxl.console._usage_errors turns a ValueError/RuntimeError from the API into message and exit
    code 2; typer's Exit (a RuntimeError too) raised inside passes untouched, as before."""
    import typer

    from perfxl.console import _usage_errors

    with pytest.raises(typer.Exit), _usage_errors("写入"):
        raise typer.Exit(1)
    with pytest.raises(SystemExit) as info, _usage_errors("写入"):
        raise RuntimeError("坏\x1b")
    assert info.value.code == 2 and capsys.readouterr().err == "坏\\x1b\n"
