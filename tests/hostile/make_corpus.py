"""Build the corpus of broken, hostile and foreign files the collector must survive.

Every case is generated here (nothing binary is committed), each with what the reader must do.
Run directly to write the corpus to a folder: ``python -m tests.hostile.make_corpus OUT``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from perfxl.form.identity import form_id_for  # noqa: E402
from perfxl.form.layout import get_layout  # noqa: E402
from perfxl.write.workbook import FormSheet, write_workbook  # noqa: E402

LAYOUT = get_layout("pujiang-2023")
SLOT = LAYOUT.slot_by_path


@dataclass(frozen=True)
class Case:
    """One file of the corpus and what must come of it."""

    name: str
    status: str  # expected 文件清单 status for this file alone: 已汇总/有问题/无法读取
    codes: frozenset[str] = frozenset()  # issue codes that must be reported for it
    forms: int = 0  # forms that must be read from it
    reason: str = ""  # text the Chinese reason must contain


def example(name: str) -> dict:
    return json.loads((ROOT / "examples" / "forms" / f"{name}.json").read_text(encoding="utf-8"))


def good_workbook(path: Path, name: str = "01") -> Path:
    form = example(name)
    write_workbook(path, [FormSheet(form["project_name"], LAYOUT, form, form_id_for(LAYOUT, form))])
    return path


def _rezip(source: Path, target: Path, change) -> Path:
    """Copy a zip, letting ``change(name, data)`` return new bytes (or None to drop the member)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info, data)
    return target


def _with_shared_strings_prolog(source: Path, target: Path, prolog: bytes) -> Path:
    def change(name, data):
        if name == "xl/sharedStrings.xml":
            body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
            return b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + prolog + body
        return data
    return _rezip(source, target, change)


def _openpyxl_edit(source: Path, target: Path, edit) -> Path:
    book = openpyxl.load_workbook(source)
    edit(book, book[book.sheetnames[0]])
    book.save(target)
    return target


def build(out: Path, soffice: str | None = None) -> list[Case]:
    out.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []
    base = good_workbook(out / "_base.xlsx")

    def add(case: Case) -> None:
        cases.append(case)

    # --- not workbooks, whatever the extension says ----------------------------------------
    (out / "empty.xlsx").write_bytes(b"")
    add(Case("empty.xlsx", "无法读取", frozenset({"FILE-005"}), reason="空的"))
    (out / "truncated.xlsx").write_bytes(base.read_bytes()[:3000])
    add(Case("truncated.xlsx", "无法读取", frozenset({"FILE-005"}), reason="损坏"))
    (out / "random.xlsx").write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20000)))
    add(Case("random.xlsx", "无法读取", frozenset({"FILE-005"}), reason="不是 Excel 工作簿"))
    (out / "export.xlsx").write_text("项目名称,安保经费\n项目资金总额,374.9447\n", encoding="gbk")
    add(Case("export.xlsx", "无法读取", frozenset({"FILE-005"}), reason="CSV"))
    (out / "wps-export.xlsx").write_text("<html><head><meta charset='utf-8'></head><body><table><tr><td>项目名称</td>"
                                         "<td>安保经费</td></tr></table></body></html>", encoding="utf-8")
    add(Case("wps-export.xlsx", "无法读取", frozenset({"FILE-005"}), reason="HTML"))

    # --- encrypted ------------------------------------------------------------------------------
    from msoffcrypto.format.ooxml import OOXMLFile
    with base.open("rb") as plain, (out / "encrypted.xlsx").open("wb") as secret:
        OOXMLFile(plain).encrypt("123456", secret)
    add(Case("encrypted.xlsx", "无法读取", frozenset({"FILE-005"}), reason="文件已加密，请取消密码后重新提交"))
    # a password-protected .xls: its workbook stream's BOF record is followed by FILEPASS (RC4);
    # the CFB directory is left out (the gate never needs it), the record layout is BIFF8's own
    bof = b"\x09\x08\x10\x00" + b"\x00\x06\x05\x00" + b"\x00" * 12
    filepass = b"\x2f\x00\x36\x00\x01\x00" + b"\x00" * 52
    (out / "encrypted.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + bof + filepass
                                        + b"\x00" * 1024)
    add(Case("encrypted.xls", "无法读取", frozenset({"FILE-005"}), reason="文件已加密"))
    # an .ods saved with a password: content.xml is ciphertext, the manifest says so
    with zipfile.ZipFile(out / "encrypted.ods", "w") as ods:
        ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        ods.writestr("META-INF/manifest.xml",
                     '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                     '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                     'manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data '
                     'manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>')
        ods.writestr("content.xml", bytes(range(256)) * 16)
    add(Case("encrypted.ods", "无法读取", frozenset({"FILE-005"}), reason="文件已加密"))

    # --- bombs and XML attacks --------------------------------------------------------------------
    def bomb(name, data):
        if name == "xl/sharedStrings.xml":
            return data + b" " * (300 * 1024 * 1024)  # 300 MB of spaces: compresses ~1000:1
        return data
    _rezip(base, out / "zipbomb.xlsx", bomb)
    add(Case("zipbomb.xlsx", "无法读取", frozenset({"FILE-005"}), reason="压缩炸弹"))
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)) + b"]>\n"
    _with_shared_strings_prolog(base, out / "billion-laughs.xlsx", laughs)
    add(Case("billion-laughs.xlsx", "无法读取", frozenset({"FILE-005"}), reason="DTD"))
    _with_shared_strings_prolog(base, out / "external-entity.xlsx",
                                b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')
    add(Case("external-entity.xlsx", "无法读取", frozenset({"FILE-005"}), reason="实体"))
    _lying_zip(base, out / "lying-size.xlsx")
    add(Case("lying-size.xlsx", "无法读取", frozenset({"FILE-005"})))
    # the same lie with a CRC that fits the declared part: only inflating past the size shows it
    _lying_zip_with_crc(base, out / "lying-size-crc.xlsx", "xl/sharedStrings.xml", b" " * (50 * 1024 * 1024),
                        zipfile.ZIP_DEFLATED)
    add(Case("lying-size-crc.xlsx", "无法读取", frozenset({"FILE-005"}), reason="实际大小与声明不符"))
    # a stored worksheet whose declared part is the real sheet, with a far cell stored after it
    _lying_zip_with_crc(base, out / "lying-stored.xlsx", "xl/worksheets/sheet1.xml",
                        b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>', zipfile.ZIP_STORED)
    add(Case("lying-stored.xlsx", "无法读取", frozenset({"FILE-005"}), reason="实际大小与声明不符"))
    # zip's own encryption flag on a part (zipfile would raise RuntimeError "password required")
    (out / "zip-encrypted-part.xlsx").write_bytes(_set_flag(base.read_bytes(), b"xl/workbook.xml", 0x01))
    add(Case("zip-encrypted-part.xlsx", "无法读取", frozenset({"FILE-005"}), reason="文件已加密"))
    _far_cell(base, out / "cell-at-XFD1048576.xlsx")
    add(Case("cell-at-XFD1048576.xlsx", "无法读取", frozenset({"FILE-005"}), reason="远超表单范围"))

    # relationships with an empty Id and a target that is not UTF-8: read, or refused, never a crash
    _rezip(base, out / "odd-relationships.xlsx", lambda n, d: d.replace(
        b"<Relationship ", b'<Relationship Id="" Target="\xff\xfe.xml" Type="x"/><Relationship ', 1)
        if n == "xl/_rels/workbook.xml.rels" else d)
    add(Case("odd-relationships.xlsx", "?"))

    # --- readable, with something to say ----------------------------------------------------------
    # Each readable case carries its own form, so that collecting the whole corpus compares like
    # with like (two cases built on the same form would be two versions of it: a 冲突).
    _used_range_artefact(good_workbook(out / "_10.xlsx", "10"), out / "used-range-XFD1048576.xlsx")
    add(Case("used-range-XFD1048576.xlsx", "已汇总", forms=1))
    _date1904(out / "date1904.xlsx")
    add(Case("date1904.xlsx", "已汇总", forms=1))
    _openpyxl_edit(good_workbook(out / "_11.xlsx", "11"), out / "formula-no-cache.xlsx",
                   lambda book, ws: ws.__setitem__(SLOT["funding.total"].area.ref, "=C7+C9"))
    add(Case("formula-no-cache.xlsx", "有问题", frozenset({"CELL-001"}), forms=1, reason="没有保存计算结果"))
    _formula_cached(out / "formula-cached.xlsx")
    add(Case("formula-cached.xlsx", "有问题", frozenset({"CELL-002"}), forms=1))
    _macro(out / "with-macro.xlsm")
    add(Case("with-macro.xlsm", "有问题", frozenset({"FILE-007"}), forms=1, reason="宏"))
    form = example("01")
    form["project_name"] = "安保\x01经费"  # Excel stores it escaped as _x0001_
    write_workbook(out / "control-chars.xlsx", [FormSheet("安保经费", LAYOUT, form, "ctl")])
    add(Case("control-chars.xlsx", "有问题", frozenset({"VALUE-010"}), forms=1))
    _rezip(good_workbook(out / "_raw.xlsx", "09"), out / "control-chars-raw.xml.xlsx",
           lambda n, d: d.replace("社会治安保障经费".encode(), "社会\x01治安".encode()) if n == "xl/sharedStrings.xml" else d)
    (out / "_raw.xlsx").unlink()
    add(Case("control-chars-raw.xml.xlsx", "?"))  # invalid XML 1.0: refused or reported, never a crash
    _openpyxl_edit(good_workbook(out / "_12.xlsx", "12"), out / "ten-mb-text.xlsx",
                   lambda book, ws: ws.__setitem__(SLOT["goals.overall"].area.ref, "长" * (10 * 1024 * 1024 // 3)))
    add(Case("ten-mb-text.xlsx", "有问题", frozenset({"VALUE-006"}), forms=1))
    _openpyxl_edit(base, out / "text-numbers-and-dates.xlsx", _typed_as_text)
    add(Case("text-numbers-and-dates.xlsx", "已汇总", forms=1))
    shutil.copy(good_workbook(out / "_13.xlsx", "13"), out / "same-twice-a.xlsx")
    shutil.copy(out / "_13.xlsx", out / "same-twice-b.xlsx")
    add(Case("same-twice-a.xlsx", "已汇总", forms=1))
    add(Case("same-twice-b.xlsx", "重复", forms=1))
    if soffice:
        for fmt in ("xls", "ods"):
            subprocess.run([soffice, f"-env:UserInstallation=file://{out}/_lo", "--headless", "--convert-to", fmt,
                            "--outdir", str(out / "_converted"), str(good_workbook(out / "_conv.xlsx", "03"))],
                           check=True, capture_output=True, timeout=180)
            shutil.move(out / "_converted" / f"_conv.{fmt}", out / f"lo-saved.{fmt}")
            add(Case(f"lo-saved.{fmt}", "已汇总", forms=1))
        shutil.rmtree(out / "_converted", ignore_errors=True)
        shutil.rmtree(out / "_lo", ignore_errors=True)
        (out / "_conv.xlsx").unlink()
    base.unlink()
    for scratch in out.glob("_*.xlsx"):
        scratch.unlink()
    return cases


def _lying_zip(source: Path, target: Path) -> None:
    """A member whose headers claim 100 bytes while it inflates to 50 MB."""
    data = _with_member(source, "xl/sharedStrings.xml", lambda content: content + b" " * (50 * 1024 * 1024))
    target.write_bytes(_set_header_fields(data, b"xl/sharedStrings.xml", size=100))


def _lying_zip_with_crc(source: Path, target: Path, member: str, tail: bytes, method: int) -> None:
    """A member whose headers give the size and CRC of its first part only, so that a reader
    which stops at the declared size finds nothing wrong; the rest (``tail``) goes unchecked."""
    with zipfile.ZipFile(source) as src:
        content = src.read(member)
    data = _with_member(source, member, lambda c: c + tail, method)
    target.write_bytes(_set_header_fields(data, member.encode(), size=len(content), crc=zlib.crc32(content)))


def _with_member(source: Path, member: str, change, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The zip as bytes, with ``member`` changed and written with ``method``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == member:
                info.compress_type = method
                content = change(content)
            dst.writestr(info, content)
    return buffer.getvalue()


def _set_header_fields(zipped: bytes, name: bytes, size: int, crc: int | None = None) -> bytes:
    """Rewrite the declared uncompressed size (and CRC) of member ``name`` in both its headers."""
    data = bytearray(zipped)
    # signature, offset of the name length, of the name, of the size, of the CRC
    for signature, name_len_offset, name_offset, size_offset, crc_offset in (
            (b"PK\x03\x04", 26, 30, 22, 14), (b"PK\x01\x02", 28, 46, 24, 16)):
        start = 0
        while (pos := data.find(signature, start)) != -1:
            length = int.from_bytes(data[pos + name_len_offset:pos + name_len_offset + 2], "little")
            if data[pos + name_offset:pos + name_offset + length] == name:
                data[pos + size_offset:pos + size_offset + 4] = size.to_bytes(4, "little")
                if crc is not None:
                    data[pos + crc_offset:pos + crc_offset + 4] = crc.to_bytes(4, "little")
            start = pos + 4
    return bytes(data)


def _set_flag(zipped: bytes, name: bytes, bit: int) -> bytes:
    """Set a general-purpose flag bit of member ``name`` in both its headers."""
    data = bytearray(zipped)
    for signature, name_len_offset, name_offset, flag_offset in ((b"PK\x03\x04", 26, 30, 6), (b"PK\x01\x02", 28, 46, 8)):
        start = 0
        while (pos := data.find(signature, start)) != -1:
            length = int.from_bytes(data[pos + name_len_offset:pos + name_len_offset + 2], "little")
            if data[pos + name_offset:pos + name_offset + length] == name:
                data[pos + flag_offset] |= bit
            start = pos + 4
    return bytes(data)


def _far_cell(source: Path, target: Path) -> None:
    def change(name, data):
        if name == "xl/worksheets/sheet1.xml":
            return data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
        return data
    _rezip(source, target, change)


def _used_range_artefact(source: Path, target: Path) -> None:
    def change(name, data):
        if name.startswith("xl/worksheets/sheet"):
            return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data
    _rezip(source, target, change)


def _example_rezipped(number: str, target: Path, change) -> Path:
    """Example ``number`` written by perfxl, then rewritten part by part into ``target``."""
    source = good_workbook(target.with_suffix(".tmp.xlsx"), number)
    _rezip(source, target, change)
    source.unlink()
    return target


def _date1904(target: Path) -> None:
    # Same workbook in the 1904 date system (old Mac Excel): date cells are stored 1462 days less.
    def change(name, data):
        if name == "xl/workbook.xml":
            return data.replace(b"<workbookPr ", b'<workbookPr date1904="1" ')
        if name.startswith("xl/worksheets/sheet1"):
            for ref in (SLOT["planned_start"].area.ref, SLOT["planned_end"].area.ref):
                data = re.sub(rb'(<c r="' + ref.encode() + rb'"[^>]*><v>)(\d+)(</v>)',
                              lambda m: m.group(1) + str(int(m.group(2)) - 1462).encode() + m.group(3), data)
        return data
    _example_rezipped("04", target, change)


def _formula_cached(target: Path) -> None:
    # A formula with its cached result, as Excel writes it on save
    def change(name, data):
        if name.startswith("xl/worksheets/sheet1"):
            ref = SLOT["funding.total"].area.ref.encode()
            return re.sub(rb'<c r="' + ref + rb'"([^>]*)><v>([^<]*)</v></c>',
                          lambda m: b'<c r="' + ref + b'"' + m.group(1) + b"><f>C7+C9</f><v>" + m.group(2) + b"</v></c>", data)
        return data
    _example_rezipped("16", target, change)


def _macro(target: Path) -> None:
    def change(name, data):
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
        return data
    _example_rezipped("05", target, change)
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Sub AutoOpen(): Shell \"calc\": End Sub")


def _typed_as_text(book, ws) -> None:
    ws[SLOT["funding.total"].area.ref] = " 374.9447 "
    ws[SLOT["funding.total_fiscal"].area.ref] = "３７４.９４４７"
    ws[SLOT["funding.annual_total"].area.ref] = "374.9447"
    ws[SLOT["funding.annual_fiscal"].area.ref] = "374.9447"
    ws[SLOT["planned_start"].area.ref] = "2023. 1. 1"
    ws[SLOT["planned_end"].area.ref] = "2023年12月31日"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for case in build(target, shutil.which("soffice")):
        print(f"{case.name}\t{case.status}\t{','.join(sorted(case.codes))}")
