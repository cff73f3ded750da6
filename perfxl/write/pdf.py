"""A workbook printed to PDF by LibreOffice (``perfxl publish --pdf``), the one external process
perfxl runs.

Guarded: a private profile in a temporary folder (no user's running LibreOffice can swallow or
block the conversion), no input on stdin, a time limit after which the whole process group is
killed, the PDF written aside and renamed into place (:func:`~perfxl.write.atomic.replacing`).

Two conversions, because a cell in .xlsx cannot ask for the Chinese line-breaking rules and
LibreOffice leaves them off there (a line may then start with “，”): the workbook is saved as .ods,
every paragraph style gets ``style:line-break="strict"`` (LibreOffice's “apply list of forbidden
characters”), and the .ods is printed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from .atomic import replacing

PACKAGE = "libreoffice-calc"
TIMEOUT = 300  # seconds per conversion; a booklet of a town's forms takes a few seconds


class LibreOfficeMissing(ValueError):
    """LibreOffice is not installed: no PDF can be printed."""


def find_soffice() -> str:
    """The LibreOffice program on PATH, or :class:`LibreOfficeMissing` naming the package."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise LibreOfficeMissing(
            f"未找到 LibreOffice（soffice 命令），无法生成 PDF。请安装 LibreOffice Calc，例如在 Debian/Ubuntu 上运行 "
            f"sudo apt-get install {PACKAGE}（另需中文字体，如 fonts-noto-cjk），或从 https://www.libreoffice.org 下载；"
            f"也可以去掉 --pdf，只生成工作簿。")
    return found


def workbook_to_pdf(workbook: str | Path, pdf: str | Path, *, soffice: str, timeout: float = TIMEOUT) -> Path:
    """Print ``workbook`` to ``pdf`` (replaced whole or left as it was).  :class:`RuntimeError`
    (in Chinese) when LibreOffice fails or takes longer than ``timeout`` seconds."""
    pdf = Path(pdf)
    with tempfile.TemporaryDirectory(prefix="perfxl-pdf-") as scratch:
        work = Path(scratch)
        source = work / "booklet.xlsx"  # a plain name: soffice names its output after its input
        shutil.copyfile(workbook, source)
        try:
            ods = _convert(soffice, work, "ods", source, timeout)
            with_chinese_line_breaking(ods)
            printed = _convert(soffice, work, "pdf", ods, timeout)
        except RuntimeError as exc:
            if pdf.exists():  # the last run's PDF no longer matches the workbook just written
                raise RuntimeError(f"{exc}原有的“{pdf}”没有更新，与新的工作簿不一致。") from None
            raise
        with replacing(pdf) as temporary:
            shutil.copyfile(printed, temporary)
    return pdf


def _convert(soffice: str, work: Path, target: str, source: Path, timeout: float) -> Path:
    out_dir = work / target
    out_dir.mkdir()
    command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--nodefault", "--convert-to", target, "--outdir", str(out_dir), str(source)]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)  # its own group: soffice starts a child of its own
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise RuntimeError(f"LibreOffice 在 {timeout:g} 秒内没有完成转换（{target}），已终止。工作簿已生成，PDF 没有生成。") from None
    except BaseException:
        _kill_group(process)
        raise
    output = out_dir / f"{source.stem}.{target}"
    # soffice exits 0 even when it could not load a file: success is the output being there
    if process.returncode != 0 or not output.is_file() or output.stat().st_size == 0:
        detail = stderr.decode("utf-8", "replace").strip()[-500:]
        raise RuntimeError(f"LibreOffice 转换为 {target} 失败（退出码 {process.returncode}）：{detail or '没有生成输出'}。"
                           f"工作簿已生成，PDF 没有生成。")
    return output


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group this call started, by its id
    except ProcessLookupError:
        pass
    process.wait()


_CELL_STYLE = re.compile(r'(<style:style [^>]*?style:family="table-cell"[^>]*?)(/>|>(.*?)</style:style>)', re.S)
_STRICT = '<style:paragraph-properties style:line-break="strict"/>'


def _strict(match: re.Match) -> str:
    """A cell style with a paragraph property line-break="strict" (added where it has none)."""
    start, end, body = match.group(1), match.group(2), match.group(3)
    if end == "/>":
        return f"{start}>{_STRICT}</style:style>"
    return match.group(0) if "<style:paragraph-properties" in body else f"{start}>{body}{_STRICT}</style:style>"


def with_chinese_line_breaking(ods: Path) -> None:
    """Turn on, for every cell of an .ods, the Chinese line-breaking rules (ODF
    style:line-break="strict"): no line starts with “，”, none ends with “（”."""
    with zipfile.ZipFile(ods) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    for name in ("content.xml", "styles.xml"):
        text = parts[name].decode("utf-8")
        text = text.replace("<style:paragraph-properties ", '<style:paragraph-properties style:line-break="strict" ')
        text = _CELL_STYLE.sub(_strict, text)
        parts[name] = text.encode("utf-8")
    with zipfile.ZipFile(ods, "w") as target:
        target.writestr(zipfile.ZipInfo("mimetype"), parts.pop("mimetype"))  # first and stored, as ODF wants
        for name, data in parts.items():
            target.writestr(name, data, zipfile.ZIP_DEFLATED)
