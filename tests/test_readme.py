"""The README's Python example runs as written (in an empty folder)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import ROOT


def test_the_python_api_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Python API"):]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "安保经费" in run.stdout and "10016.4686" in run.stdout  # a record read, and an exact Decimal total
    assert (tmp_path / "汇总.xlsx").is_file() and len(list((tmp_path / "下发模板").glob("*.xlsx"))) == 3
    assert (tmp_path / "绩效目标表汇编.xlsx").is_file() and "编报绩效目标的项目 15 个" in run.stdout  # the booklet
