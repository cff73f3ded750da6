"""Checks a file must pass before any parser sees it.

Workbooks arrive from dozens of desks and some are broken or hostile.  Parsers are not the place
to find out: python-calamine aborts the whole process (SIGABRT from Rust) on a cell bomb or on a
cell at XFD1048576, and ``ZipFile.read()`` trusts a member's declared size.  So, by content and
never by extension: recognise the container (zip, CFB), refuse encrypted packages, cap file size,
member count, each member's real uncompressed size (inflated with a hard cap: a declared size is
never trusted) and its compression ratio, refuse XML with a DTD (billion laughs, external
entities; via defusedxml), and bound the cells and merged ranges of every worksheet to what a
form can hold.
"""

from __future__ import annotations

import datetime as dt
import errno
import html
import io
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import XMLParser

from ..config import DEFAULT_LIMITS, Limits
from ..form.marks import OUTPUT_PROPERTY, WRITTEN_AT

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')  # only cells have an r of letters+digits
# A cell reference past column IV (256) or row 9999: rare, so one search usually settles the bounds.
_FAR_REF = re.compile(rb'r="(?:[A-Z]{3}|I[W-Z]|[J-Z][A-Z]|[A-Z]{1,3}[0-9]{4})[0-9]')  # literal start: fast
# The same test for either end of a range: ref="A1" or ref="A1:B2".
_FAR_RANGE_REF = re.compile(rb'ref="(?:[A-Z]{1,3}[0-9]{1,7}:)?(?:[A-Z]{3}|I[W-Z]|[J-Z][A-Z]|[A-Z]{1,3}[0-9]{4})[0-9]')
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')


@dataclass
class Scan:
    """What the safety pass learnt on the way, for the reader: formula cells (sheet name → cell →
    whether a computed value was saved), macros, the 1904 date system, when the workbook says it
    was last saved, and whether perfxl wrote it as one of its own outputs."""

    kind: str  # "zip" or "cfb"
    formulas: dict[str, dict[str, bool]] = field(default_factory=dict)
    has_macros: bool = False
    date1904: bool = False
    saved: str = ""  # dcterms:modified (.ods: dc:date) as ISO text, UTC with "Z" when zoned; "" unknown
    output: str = ""  # the OUTPUT_PROPERTY of a perfxl output (汇总表, 问题清单); "" for anything else
    # The same workbook for the parser with every part the check inflated stored instead of
    # deflated (:func:`_stored_copy`): calamine then reads the very bytes checked here without
    # inflating them again.  b"" when the file itself is to be given to the parser.
    parser_bytes: bytes = b""


class Refused(Exception):
    """A file that must not reach a parser.  ``message`` is Chinese, for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_input(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The whole file, read once (the check, the hash and the parser share it), or
    :class:`Refused` when it is empty or larger than a form workbook can be."""
    size = os.stat(path).st_size
    if size == 0:
        raise Refused("文件是空的（0 字节）")
    if size > limits.max_file_bytes:
        raise Refused(f"文件过大：{_size(size)}，上限 {_size(limits.max_file_bytes)}")
    with open(path, "rb") as handle:
        return handle.read(size)  # no more than was measured (a read of the cap costs its allocation)


def _size(count: int) -> str:
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count / 1024:.0f} KB"


def check_bytes_safety(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Scan:
    """What a file's bytes (from :func:`read_input`) must pass before a parser sees them; what was
    learnt on the way (:class:`Scan`), or :class:`Refused` with the reason in Chinese."""
    if data.startswith(ZIP_MAGIC):
        return _check_zip(data, limits)
    if data[:8] == CFB_MAGIC:
        if _ENCRYPTED_PACKAGE in data or _biff_encrypted(data):  # an encrypted .xlsx is a CFB container
            raise Refused("文件已加密，请取消密码后重新提交")
        return Scan("cfb")
    raise Refused(_what_it_really_is(data[:4096]))


_BIFF8_BOF = b"\x09\x08\x10\x00"  # the BOF record that opens a .xls workbook stream (16 bytes of data)
_FILEPASS = b"\x2f\x00"  # the record right after it in a password-protected .xls


def _biff_encrypted(data: bytes) -> bool:
    """A password-protected .xls: its workbook stream's BOF is followed by a FILEPASS record."""
    at = data.find(_BIFF8_BOF)
    return at >= 0 and data[at + 20:at + 22] == _FILEPASS


def _what_it_really_is(sample: bytes) -> str:
    """Name what the file is, not what its extension claims (old systems and WPS export CSV and
    HTML under an .xlsx name), from its first 4 KB."""
    text = sample.decode("utf-8", errors="ignore").lstrip("\ufeff \r\n\t").lower()
    if text.startswith(("<!doctype html", "<html", "<table", "<?xml")) or "<html" in text[:512]:
        return "文件实际上是网页（HTML）或 XML 文本，不是 Excel 工作簿。请在 Excel 中打开后另存为 .xlsx 再提交"
    if sample.startswith(b"%PDF"):
        return "文件实际上是 PDF，不是 Excel 工作簿。请提交 .xlsx 格式的表格"
    is_text = False
    for encoding in ("utf-8", "gb18030", "utf-16"):  # Chinese office exports are often GBK
        try:
            decoded = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if sum(ch.isprintable() or ch in "\r\n\t" for ch in decoded) > 0.95 * max(len(decoded), 1):
            is_text, text = True, decoded
            break
    if is_text and ("," in text or "\t" in text or "，" in text):
        return "文件实际上是 CSV/文本，不是 Excel 工作簿。请在 Excel 中打开后另存为 .xlsx 再提交"
    if sample.startswith(b"PK"):
        return "文件不是完整的压缩包（可能传输中被截断），请重新保存后提交"
    return "文件不是 Excel 工作簿（无法识别的文件格式）"


def _check_zip(file: bytes, limits: Limits) -> Scan:
    archive = _Zip(file)
    members = archive.members
    if len(members) > limits.max_members:
        raise Refused(f"压缩包内文件过多：{len(members)} 个，上限 {limits.max_members} 个")
    names = {m.filename for m in members}
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise Refused("文件已加密，请取消密码后重新提交")
    manifest = next((i for i, m in enumerate(members) if m.filename == "META-INF/manifest.xml"), None)
    if manifest is not None and b"encryption-data" in _inflate(archive, manifest, limits):
        raise Refused("文件已加密，请取消密码后重新提交")  # an .ods saved with a password
    declared = sum(m.file_size for m in members)
    if declared > limits.max_total_bytes:
        raise Refused(f"解压后总大小 {declared // 1024 // 1024} MB 超过上限（疑似压缩炸弹）")
    total = 0
    scan = Scan("zip", has_macros=any(n.lower().endswith("vbaproject.bin") for n in names))
    parts: dict[str, bytes] = {}
    properties: dict[str, bytes] = {}
    inflated: dict[int, bytes] = {}
    for index, member in enumerate(members):
        if member.flag_bits & 0x01:  # zip's own (traditional) encryption: zipfile would raise RuntimeError
            raise Refused("文件已加密，请取消密码后重新提交")
        if member.file_size > limits.max_member_bytes:
            raise Refused(f"压缩包内“{member.filename}”解压后 {member.file_size // 1024 // 1024} MB，超过上限（疑似压缩炸弹）")
        if member.file_size > 1024 * 1024 and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise Refused(f"压缩包内“{member.filename}”压缩比异常（疑似压缩炸弹）")
        if member.filename in _PROPERTY_PARTS:
            properties[member.filename] = _small_part(archive, index, limits)
            continue
        if not _is_parsed(member.filename):
            continue
        data = inflated[index] = _inflate(archive, index, limits)
        total += len(data)
        if total > limits.max_total_bytes:
            raise Refused("解压后总大小超过上限（疑似压缩炸弹）")
        _check_xml(member.filename, data)
        if member.filename.startswith("xl/worksheets/") or member.filename == "content.xml":
            _check_bounds(member.filename, data, limits)
        if member.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") or (
                member.filename.startswith("xl/worksheets/") and _has_formula(data)):
            parts[member.filename] = data
    _learn(scan, parts)
    _learn_properties(scan, properties)
    if archive.plain and "xl/workbook.xml" in names:
        scan.parser_bytes = _stored_copy(archive, inflated)
    return scan


# Document properties: when the workbook was last saved (Excel, WPS: dcterms:modified in
# docProps/core.xml; LibreOffice's .ods: dc:date in meta.xml) and perfxl's own mark on its outputs
# (docProps/custom.xml).  Small parts, inflated with a hard cap and searched, never parsed as XML:
# no entity can expand and nothing is resolved.  A part that is large, damaged or lies about its
# size is evidence of nothing: the workbook is read as if it had none.
_PROPERTY_PARTS = ("docProps/core.xml", "docProps/custom.xml", "meta.xml")
_PROPERTY_CAP = 64 * 1024
_MODIFIED = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?modified\b[^>]*>([^<]{1,64})</")
_ODS_DATE = re.compile(rb"<dc:date>([^<]{1,64})</dc:date>")
_OUTPUT_MARK = re.compile(rb'\bname="' + OUTPUT_PROPERTY.encode() + rb'"[^>]*>\s*<(?:\w+:)?lpwstr>([^<]{1,200})</')


def _small_part(archive: "_Zip", index: int, limits: Limits) -> bytes:
    member = archive.members[index]
    if member.file_size > _PROPERTY_CAP:
        return b""
    try:
        return _inflate(archive, index, limits)
    except Refused:
        return b""


def _learn_properties(scan: Scan, properties: dict[str, bytes]) -> None:
    modified = _MODIFIED.search(properties.get("docProps/core.xml", b"")) or _ODS_DATE.search(
        properties.get("meta.xml", b""))
    scan.saved = saved_time(modified.group(1)) if modified else ""
    mark = _OUTPUT_MARK.search(properties.get("docProps/custom.xml", b""))
    if mark:
        scan.output = html.unescape(mark.group(1).decode("utf-8", "replace")).strip()


def saved_time(raw: bytes) -> str:
    """A recorded save time as sortable ISO text: a zoned time in UTC, ending in "Z" (Excel, WPS);
    a time without zone as written (LibreOffice's local time).  "" for what is not a time, and for
    perfxl's own fixed stamp (:data:`~perfxl.form.marks.WRITTEN_AT`), which says nothing about saving."""
    try:
        value = dt.datetime.fromisoformat(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return ""
    zone = "" if value.tzinfo is None else "Z"
    if zone:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if value == _WRITTEN_AT:  # also without its zone: LibreOffice's .ods keeps perfxl's stamp so
        return ""
    return value.isoformat(timespec="seconds" if not value.microsecond else "microseconds") + zone


_WRITTEN_AT = dt.datetime.fromisoformat(WRITTEN_AT).replace(tzinfo=None)


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b(?:[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"|[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)")')
_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
# An f tag (<f>, <f t="shared" …>, prefixed <x:f>), not a validation's <formula1>; written as
# "f, then a look back" so that re scans for the f alone, not for the frequent "<".
_FORMULA_TAG = re.compile(rb"f(?<=[<:]f)[ >]")


def _has_formula(data: bytes) -> bool:
    """Whether a worksheet has a cell formula."""
    return _FORMULA_TAG.search(data) is not None


_DATE1904 = re.compile(rb'date1904="(1|true)"')
_PREFIXED_F = re.compile(rb"<\w+:f\b")


def _learn(scan: Scan, parts: dict[str, bytes]) -> None:
    """Formula cells per sheet name (the reader must never take a formula without a saved value
    for an empty cell) and the 1904 date system."""
    workbook = parts.get("xl/workbook.xml", b"")
    scan.date1904 = _DATE1904.search(workbook) is not None
    # A formula is taken only from a cell with a body (…</c>) holding "<f" or "<x:f": without a part that has
    # both, none can be found (a cheaper test than "<f" alone, which workbook.xml has: <fileVersion).
    if not any((b"<f" in data or b":f" in data) and b"c>" in data for data in parts.values()):
        return
    targets = {}
    for match in _REL.finditer(parts.get("xl/_rels/workbook.xml.rels", b"")):
        # Id before Target (groups 1, 2) or after it (4, 3); an empty Id or a target that is not
        # UTF-8 names no sheet we can find, and must not stop the check.
        rel_id, target = match.group(1, 2) if match.group(2) is not None else match.group(4, 3)
        targets[rel_id] = "xl/" + target.decode("utf-8", "replace").lstrip("/").removeprefix("xl/")
    for name, rel_id in _SHEET.findall(workbook):
        data = parts.get(targets.get(rel_id, ""))
        if not data:
            continue
        found = {}
        for attrs, body in _CELL.findall(data):
            if body and (b"<f" in body or (b":f" in body and _PREFIXED_F.search(body))):  # <f>, or <x:f> as calamine also reads
                ref = _REF.search(attrs)
                if ref:
                    found[ref.group(1).decode()] = re.search(rb"<(?:\w+:)?v>[^<]", body) is not None
        if found:
            scan.formulas[html.unescape(name.decode("utf-8"))] = found


# The parts a workbook reader parses (calamine for xlsx/xlsm and ods; openpyxl, which uses
# defusedxml itself, for feedback copies of files that passed).  Only these are inflated and
# scanned; the others (document properties, themes, drawings …) are bounded by the declared-size
# and ratio checks above and never parsed.
_PARSED_PARTS = ("xl/worksheets/", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/_rels/", "xl/styles.xml",
                 "[Content_Types].xml", "content.xml", "styles.xml", "xl/tables/")


def _is_parsed(name: str) -> bool:
    return name.startswith(_PARSED_PARTS) and name.endswith((".xml", ".rels"))


class _Member(NamedTuple):
    """A member as the central directory declares it (the ZipInfo attributes used here)."""

    filename: str
    flag_bits: int
    compress_type: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int

    @property
    def orig_filename(self) -> str:
        return self.filename


_END_RECORD = struct.Struct("<4s8xIIH")  # signature, directory size and offset, comment length
_DIRECTORY_ENTRY = struct.Struct("<4s2xBxHH4xIIIHHH8xI")
_PLAIN_NAME = re.compile(rb"[\x20-\x5b\x5d-\x7e]*")  # printable ASCII without the backslash


def _plain_directory(file: bytes) -> tuple[list[_Member], int] | None:
    """The members of a plain zip and where its central directory starts, read from it: end
    record last without a comment, no zip64, nothing before the archive, plain ASCII names.
    ZipFile's reading costs more than the rest of the check; for anything else it is used
    (None), with its own errors."""
    if len(file) < 42 or file[-42:-38] == b"PK\x06\x07":  # zip64 locator
        return None
    signature, size, offset, comment = _END_RECORD.unpack_from(file, len(file) - 22)
    if signature != b"PK\x05\x06" or comment or offset + size != len(file) - 22:
        return None
    members, at, end = [], offset, offset + size
    while at < end:
        if at + 46 > end:
            return None
        (signature, version, flags, method, crc, compress_size, file_size, name_length, extra_length,
         comment_length, header_offset) = _DIRECTORY_ENTRY.unpack_from(file, at)
        name_end = at + 46 + name_length
        extra_end = name_end + extra_length
        if (signature != b"PK\x01\x02" or version > zipfile.MAX_EXTRACT_VERSION or extra_end + comment_length > end
                or _PLAIN_NAME.fullmatch(file, at + 46, name_end) is None
                or (extra_length and not _plain_extra(file[name_end:extra_end]))):
            return None
        members.append(_Member(file[at + 46:name_end].decode("ascii"), flags, method, crc, compress_size,
                               file_size, header_offset))
        at = extra_end + comment_length
    return members, offset


def _plain_extra(extra: bytes) -> bool:
    """Extra fields that zipfile would skip: well-formed, neither zip64 nor (Python 3.13) a
    Unicode path that renames the member."""
    while len(extra) >= 4:
        kind, length = struct.unpack_from("<HH", extra)
        if kind in (0x0001, 0x7075) or length + 4 > len(extra):
            return False
        extra = extra[length + 4:]
    return True


class _Zip:
    """A zip's members, from :func:`_plain_directory` or else zipfile; zipfile's view is opened
    (once) when a member needs zipfile to judge it."""

    def __init__(self, file: bytes):
        self.file = file
        self._archive = None
        plain = _plain_directory(file)
        self.members, directory = plain if plain else (self.archive().infolist(), self.archive().start_dir)
        self.directory = directory
        self.data_ends = _data_ends(self.members, directory)

    @property
    def plain(self) -> bool:
        """A plain zip (:func:`_plain_directory`) whose members all passed without zipfile."""
        return self._archive is None

    def archive(self) -> zipfile.ZipFile:
        if self._archive is None:
            try:
                self._archive = zipfile.ZipFile(_FileBytes(self.file))
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise Refused(f"文件损坏或不完整（{exc}），请重新保存后提交") from None
        return self._archive


def _data_ends(members: list, directory: int) -> list[int]:
    """Where each member's data must end: at the next local header, or the central directory for
    the last (overlapping members, a zip-bomb device, are left to zipfile, which refuses them
    from Python 3.11.8 on).  Computed as zipfile does."""
    offsets = [member.header_offset for member in members]
    ends, end = [0] * len(members), directory
    for index in sorted(range(len(members)), key=offsets.__getitem__, reverse=True):
        ends[index], end = end, offsets[index]
    return ends


class _FileBytes(io.BytesIO):
    """The file's bytes, for zipfile.  A seek before the start fails as on a real file (OSError,
    not BytesIO's clamping or ValueError), so a damaged zip gets the same verdict as from disk."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self._size = len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self.tell(), self._size)[whence]
        if base + offset < 0:
            raise OSError(errno.EINVAL, "Invalid argument")
        return super().seek(offset, whence)


_LOCAL_HEADER = struct.Struct("<4s2xH18xHH")  # signature, flags, name length, extra length
_ODD_FLAGS = 0x01 | 0x20 | 0x40  # encrypted, patched data, strong encryption: zipfile decides
_TOO_BIG = object()


def _inflate(archive: _Zip, index: int, limits: Limits) -> bytes:
    """A member's content, inflated with a hard cap at its declared size.  Plain members are
    inflated straight from the file's bytes (zipfile's stream machinery costs more than zlib);
    anything unusual or damaged goes through zipfile, which gives today's verdict and message."""
    member = archive.members[index]
    cap = min(member.file_size, limits.max_member_bytes)
    content = _inflate_raw(archive.file, member, cap, archive.data_ends[index])
    if content is None or content is _TOO_BIG:
        zipped = archive.archive()
        data = _read_capped(zipped, zipped.infolist()[index], limits)
        if content is None:
            return data
        # zipfile stops at the declared size and refuses on a bad CRC; a lying header with a
        # CRC that matches the truncated content passes it, so refuse that here.
        raise Refused(f"压缩包内“{member.filename}”的实际大小与声明不符（疑似压缩炸弹）")
    return content


def _inflate_raw(file: bytes, member: _Member | zipfile.ZipInfo, cap: int, data_end: int):
    """Content of a stored or deflated member read from its local header on, or ``_TOO_BIG``
    when it inflates past ``cap`` (never inflating further), or None when zipfile must judge."""
    if member.flag_bits & _ODD_FLAGS or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    start = member.header_offset
    if start < 0 or len(file) < start + _LOCAL_HEADER.size:
        return None
    signature, flags, name_length, extra_length = _LOCAL_HEADER.unpack_from(file, start)
    name_start = start + _LOCAL_HEADER.size
    name = file[name_start:name_start + name_length]
    try:  # the local name must be the directory's, as zipfile checks (ASCII reads the same in both)
        if signature != b"PK\x03\x04" or (name.decode("ascii") if name.isascii() else name.decode(
                "utf-8" if flags & 0x800 else "cp437")) != member.orig_filename:
            return None
    except UnicodeDecodeError:
        return None
    data_start = name_start + name_length + extra_length
    if data_start + member.compress_size > data_end:
        return None  # overlaps the next member
    raw = file[data_start:data_start + member.compress_size]
    if len(raw) != member.compress_size:
        return None  # truncated file
    if member.compress_type == zipfile.ZIP_STORED:
        content = raw
    else:
        inflater = zlib.decompressobj(-15)
        try:
            content = inflater.decompress(raw, cap + 1)  # one byte past the cap is enough to know
        except zlib.error:
            return None
        if len(content) <= cap and not inflater.eof:
            return None  # the stream does not end where the directory says
    if len(content) > cap:
        return _TOO_BIG
    return content if zlib.crc32(content) == member.CRC else None


_STORED_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_STORED_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_STORED_END = struct.Struct("<4sHHHHIIH")


def _stored_copy(archive: _Zip, inflated: dict[int, bytes]) -> bytes:
    """The archive again, member for member in the same order under the same names: the members
    the check inflated (``inflated``: index → content, CRC and size verified) stored as that
    content, every other member's compressed data copied as it is.  Equivalent for a parser to
    the file (the same content under the same names), which then need not inflate the parts a
    second time.  b"" (the parser reads the file itself) when a member's local header is not
    plain, a name is not ASCII, or the copy would need zip64."""
    file = archive.file
    pieces: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for index, member in enumerate(archive.members):
        name = member.filename.encode("ascii", "replace")
        content = inflated.get(index)
        if content is not None:
            method, crc, data = zipfile.ZIP_STORED, member.CRC, content
            size = compressed = len(content)
        else:
            data = _raw_data(file, member, archive.data_ends[index])
            if data is None:
                return b""
            method, crc, size, compressed = member.compress_type, member.CRC, member.file_size, len(data)
        flags = member.flag_bits & 0x800  # no data descriptor: the sizes are in the header
        header = _STORED_LOCAL.pack(b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, compressed, size, len(name), 0)
        central.append(_STORED_CENTRAL.pack(b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, compressed, size,
                                            len(name), 0, 0, 0, 0, 0, offset) + name)
        pieces += (header, name, data)
        offset += len(header) + len(name) + len(data)
        if offset >= 0xFFFFFFFF:
            return b""
    directory = b"".join(central)
    end = _STORED_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join(pieces) + directory + end


def _raw_data(file: bytes, member: _Member | zipfile.ZipInfo, data_end: int) -> bytes | None:
    """A member's compressed data as its local header places it, or None when the header is not
    the plain one :func:`_inflate_raw` reads, or the member is flagged or compressed unusually."""
    start = member.header_offset
    if start < 0 or len(file) < start + _LOCAL_HEADER.size:
        return None
    if member.flag_bits & _ODD_FLAGS or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    signature, _, name_length, extra_length = _LOCAL_HEADER.unpack_from(file, start)
    data_start = start + _LOCAL_HEADER.size + name_length + extra_length
    if signature != b"PK\x03\x04" or data_start + member.compress_size > data_end:
        return None
    return file[data_start:data_start + member.compress_size]


def _read_capped(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> bytes:
    """Decompress a member in chunks, never past its declared size or the cap: a header that
    lies about the size (``ZipFile.read`` would inflate up to 2 GiB) is caught here."""
    cap = min(member.file_size, limits.max_member_bytes)
    chunks, size = [], 0
    try:
        with archive.open(member) as stream:
            while True:
                chunk = stream.read(1024 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise Refused(f"压缩包内“{member.filename}”的实际大小与声明不符（疑似压缩炸弹）")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise Refused(f"压缩包内“{member.filename}”已损坏（{exc}），请重新保存后提交") from None
    return b"".join(chunks)


class _PrologDone(Exception):
    pass


class _StopAtRoot:
    """An XMLParser target that stops at the root element: a DTD can only come before it."""

    def start(self, tag, attrib):
        raise _PrologDone

    def close(self):
        return None


# A prolog of only an XML declaration, comments, processing instructions and whitespace, then
# the root element: no DTD possible.  Anything else goes to defusedxml for the verdict.
_PLAIN_PROLOG = re.compile(rb"(?:\s|<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!->))*-->)*<[A-Za-z_]")


def _check_xml(name: str, data: bytes) -> None:
    if _PLAIN_PROLOG.match(data):
        return
    parser = XMLParser(target=_StopAtRoot(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
    except _PrologDone:
        return
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        raise Refused(f"文件内部“{name}”含有 DTD/实体声明（可能是恶意构造的文件，如“十亿笑”攻击或外部实体引用），已拒绝读取") from None
    except Exception as exc:  # ParseError and friends: malformed XML
        raise Refused(f"文件内部“{name}”不是有效的 XML（{str(exc)[:80]}），请重新保存后提交") from None


def _col_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _merge_span(data: bytes) -> tuple[int, int]:
    """Where the mergeCell elements are (from the '<' of the first to the '>' of the last), so
    that they are searched there only; (0, 0) when there are none."""
    first = data.find(b"mergeCell")
    if first < 0:
        return 0, 0
    end = data.find(b">", data.rfind(b"mergeCell"))
    return max(data.rfind(b"<", 0, first), 0), len(data) if end < 0 else end


def _check_bounds(name: str, data: bytes, limits: Limits) -> None:
    """Cells and merged ranges beyond what a form can hold (e.g. one cell at XFD1048576) make a
    grid-allocating reader try to allocate hundreds of GB; refuse them before it sees them."""
    start, end = _merge_span(data)
    if limits.max_rows >= 9999 and limits.max_cols >= 256:
        near_cells = not _FAR_REF.search(data)
        if near_cells and (start == end or not _FAR_RANGE_REF.search(data, start, end)):
            return  # every ref has at most 2 letters up to IV and 4 digits
    else:
        near_cells = False
    cells = [] if near_cells else _CELL_REF.findall(data)
    merges = _MERGE_REF.findall(data, start, end)
    # Few distinct column letters and row numbers: convert each once.
    letters = {col for col, _ in cells} | {m[0] for m in merges} | {m[2] for m in merges if m[2]}
    rows = {row for _, row in cells} | {m[1] for m in merges} | {m[3] for m in merges if m[3]}
    worst_row = max(map(int, rows), default=0)
    worst_col = max(map(_col_number, letters), default=0)
    if worst_row > limits.max_rows or worst_col > limits.max_cols:
        raise Refused(f"工作表（{name}）在第 {worst_row} 行、第 {worst_col} 列处有内容或合并单元格，"
                      f"远超表单范围（{limits.max_rows} 行 × {limits.max_cols} 列）。请删除多余内容后重新提交")
