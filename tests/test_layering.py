"""The package's shape: one direction of dependency, no import cycles, one home for xlsxwriter's
private API, a facade that is complete and imported by nothing inside the package."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
from conftest import ROOT

import perfxl.api

PACKAGE = ROOT / "perfxl"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"})


def test_the_layers_contract_is_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_layers_contract_catches_a_reader_importing_the_writer(tmp_path):
    """The contract bites: the same check on a copy where read imports write fails."""
    shutil.copytree(PACKAGE, tmp_path / "perfxl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    gate = tmp_path / "perfxl" / "read" / "gate.py"
    gate.write_text(gate.read_text(encoding="utf-8") + "\nfrom ..write import naming  # noqa\n", encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0 and "perfxl.read.gate -> perfxl.write.naming" in result.stdout, result.stdout


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), function-level imports included."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module) & modules):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                group.append(other)
                if other == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_back():
    graph = grimp.build_graph("perfxl")
    modules = {m for m in graph.modules if m.startswith("perfxl.")}
    packages = {m for m in modules if (ROOT / m.replace(".", "/")).is_dir()}
    assert _cycles(graph, modules - packages) == []


def test_the_cycle_check_finds_a_cycle():
    graph = grimp.ImportGraph()
    for module in ("p.a", "p.b", "p.c"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.b", imported="p.c")
    assert _cycles(graph, {"p.a", "p.b", "p.c"}) == [["p.a", "p.b"]]


_PRIVATE_XLSXWRITER = re.compile(r"\._get_xf_index\b|\._escape_control_characters\b|xlsxwriter\.(xmlwriter|worksheet|format)\b")


def test_xlsxwriter_internals_are_used_in_one_module_only():
    users = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                   if _PRIVATE_XLSXWRITER.search(path.read_text(encoding="utf-8")))
    assert users == ["collect/xlsxinternals.py"]


def test_the_facade_is_complete():
    """Every public function and class defined in perfxl.api is in __all__, and every name in
    __all__ is there."""
    tree = ast.parse((PACKAGE / "api.py").read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))
               and not node.name.startswith("_")}
    assert defined <= set(perfxl.api.__all__)
    assert [name for name in perfxl.api.__all__ if not hasattr(perfxl.api, name)] == []
    assert len(perfxl.api.__all__) == len(set(perfxl.api.__all__))


def test_the_readme_imports_only_from_the_facade():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    imports = re.findall(r"^from perfxl(\.[\w.]+)? import (\([^)]*\)|.+)$", readme, flags=re.M)
    assert imports
    for module, names in imports:
        assert module == ".api", f"the README imports from perfxl{module}, not from the facade"
        for name in (n.strip() for n in names.strip("()").replace("\n", " ").split(",") if n.strip()):
            assert name in perfxl.api.__all__, name


def test_form_ids_do_not_move():
    """The id in every workbook already sent out depends on x-perfxl-identity's fields and their
    order: a change to either would make every resubmission look new.  Pinned to the id the first
    perfxl wrote for example 01."""
    from conftest import load_example

    from perfxl.form.identity import form_id_for
    from perfxl.form.layout import get_layout

    assert form_id_for(get_layout("pujiang-2023"), load_example("01")) == "7f233eca-3a4e-583e-8859-ad68b734461c"
