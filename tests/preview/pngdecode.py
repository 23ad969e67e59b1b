"""Just enough PNG decoding (8-bit RGB/RGBA, no interlace) to tell a screenshot from a blank one."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    channels: int
    pixels: bytes  # unfiltered rows, ``channels`` bytes per pixel

    def rgb_at(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * self.channels
        r, g, b = self.pixels[i : i + 3]
        return (r, g, b)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data: bytes) -> Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray(stride * height)
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        filt = raw[start]
        row = bytearray(raw[start + 1 : start + 1 + stride])
        if filt == 1:
            for i in range(channels, stride):
                row[i] = (row[i] + row[i - channels]) & 0xFF
        elif filt == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, prev, strict=True))
        elif filt == 3:
            for i in range(stride):
                left = row[i - channels] if i >= channels else 0
                row[i] = (row[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif filt == 4:
            for i in range(stride):
                left = row[i - channels] if i >= channels else 0
                up_left = prev[i - channels] if i >= channels else 0
                row[i] = (row[i] + _paeth(left, prev[i], up_left)) & 0xFF
        out[y * stride : (y + 1) * stride] = row
        prev = row
    return Image(width, height, channels, bytes(out))


def luminance_stats(image: Image, step: int = 3) -> tuple[float, int]:
    """(variance of luminance, number of distinct colours) over every ``step``-th pixel."""
    values: list[float] = []
    colours: set[tuple[int, int, int]] = set()
    for y in range(0, image.height, step):
        for x in range(0, image.width, step):
            r, g, b = image.rgb_at(x, y)
            colours.add((r, g, b))
            values.append(0.2126 * r + 0.7152 * g + 0.0722 * b)
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return variance, len(colours)
