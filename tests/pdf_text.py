"""The text of a PDF written by fpdf2 with an embedded TrueType font, for tests, without a PDF
library: each font's ToUnicode map turns the glyph ids of the page's Tj strings back into
characters. Enough for fpdf2's own output (one content stream per page, literal strings)."""

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def _objects(data):
    out = {}
    for number, body in OBJECT.findall(data):
        stream = STREAM.search(body)
        content = stream.group(1) if stream else b""
        if stream and b"/FlateDecode" in body[: stream.start()]:
            content = zlib.decompress(content)
        out[int(number)] = (body, content)
    return out


def _cmap(text):
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


ESCAPES = {
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"b": b"\b",
    b"f": b"\f",
    b"(": b"(",
    b")": b")",
    b"\\": b"\\",
}


def _literal(raw):
    out, i = bytearray(), 0
    while i < len(raw):
        c = raw[i : i + 1]
        if c == b"\\":
            nxt = raw[i + 1 : i + 2]
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            out += ESCAPES.get(nxt, nxt)
            i += 2
            continue
        out += c
        i += 1
    return bytes(out)


def text_of(data):
    """The lines of text of every page, in drawing order."""
    objects = _objects(data)
    fonts = {}
    for body, _content in objects.values():
        for name, ref in re.findall(rb"/(F\d+)\s+(\d+) 0 R", body):
            font = objects.get(int(ref), (b"", b""))[0]
            to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", font)
            if to_unicode:
                fonts[name.decode()] = _cmap(objects[int(to_unicode.group(1))][1])
    lines = []
    for _body, content in objects.values():
        if b" Tj" not in content:
            continue
        font = {}
        for match in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
            if match.group(1):
                font = fonts.get(match.group(1).decode(), {})
                continue
            raw = _literal(match.group(2))
            lines.append(
                "".join(font.get(int.from_bytes(raw[k : k + 2], "big"), "?") for k in range(0, len(raw), 2))
            )
    return lines
