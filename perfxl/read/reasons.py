"""What a library said, for the clerk: a Chinese reason first, the library's own words in brackets.

Parsers speak English ("Cannot detect file format", "File is not a zip file", "Expecting value");
a unit's finance clerk reads Chinese.  Known messages get a Chinese sentence; any other keeps its
text after “读取出错”, so nothing is lost for whoever supports the office.
"""

from __future__ import annotations

import json
import re

_KNOWN = (  # (pattern in the library's message, what it means)
    (re.compile(r"cannot detect file format", re.I), "无法识别的文件格式"),
    (re.compile(r"not a zip file|bad ?zip|zip ?archive", re.I), "文件不是完整的压缩包"),
    (re.compile(r"password|encrypt", re.I), "文件已加密"),
    (re.compile(r"unexpected end|eof|truncated", re.I), "文件不完整（可能传输中被截断）"),
    (re.compile(r"expecting '[\w-]+', found|xml|invalid (utf-8|utf8)", re.I), "表格内容（XML）有误"),
    (re.compile(r"worksheet.*not found|sheet.*not found", re.I), "找不到工作表"),
)

_JSON = {
    "Expecting value": "此处应有一个值",
    "Expecting property name enclosed in double quotes": "属性名应使用英文双引号",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Extra data": "JSON 之后还有多余的内容",
    "Unterminated string starting at": "字符串没有结束",
    "Invalid control character at": "含有不允许的控制字符",
    "Invalid \\escape": "反斜杠转义不正确",
}


def library_reason(exc: BaseException) -> str:
    """A parser's exception as a Chinese reason with its own first line in brackets (≤ 200 chars)."""
    text = (str(exc).strip() or type(exc).__name__).splitlines()[0][:160]
    for pattern, meaning in _KNOWN:
        if pattern.search(text):
            return f"{meaning}（{text}）"
    return f"读取出错（{text}）"


def json_reason(exc: BaseException) -> str:
    """Why a JSON file cannot be read, in Chinese, with where (line and column) and the detail."""
    if isinstance(exc, json.JSONDecodeError):
        meaning = _JSON.get(exc.msg, "格式不正确")
        return f"第 {exc.lineno} 行第 {exc.colno} 列{meaning}（{exc.msg}）"
    if isinstance(exc, UnicodeDecodeError):
        return f"不是 UTF-8 编码的文本（{exc.reason}）"
    if isinstance(exc, OSError):
        return f"无法打开（{exc.strerror or exc}）"
    return library_reason(exc)
