#!/usr/bin/python3
"""Writes data/swish_input.png, the walk-through's bundled 256x256 RGB image:
smooth colour waves with a few discs, the same bytes on every run. Needs only
NumPy and the standard library (run with Debian's /usr/bin/python3)."""
import os
import struct
import zlib

import numpy as np

SIZE = 256
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'swish_input.png')


def pixels():
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64)
    r = 128 + 100 * np.sin(x / 23.0 + y / 41.0)
    g = 128 + 100 * np.cos(x / 37.0 - y / 19.0)
    b = 255 * (x + y) / (2 * SIZE - 2)
    img = np.stack([r, g, b], axis=-1)
    for cx, cy, rad, colour in [(70, 80, 40, (240, 40, 40)), (180, 170, 55, (30, 200, 60)),
                                (190, 60, 25, (250, 250, 250))]:
        inside = (x - cx) ** 2 + (y - cy) ** 2 <= rad ** 2
        img[inside] = colour
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def png_bytes(rgb):
    """A PNG with every row stored with the Sub filter (each byte minus the
    byte one pixel to its left), which suits smooth images."""
    h, w, _ = rgb.shape
    rows = []
    for row in rgb.reshape(h, w * 3).astype(np.int16):
        sub = row.copy()
        sub[3:] -= row[:-3]
        rows.append(b'\x01' + (sub & 0xff).astype(np.uint8).tobytes())
    raw = b''.join(rows)

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data +
                struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))

    header = struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) +
            chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


if __name__ == '__main__':
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'wb') as f:
        f.write(png_bytes(pixels()))
    print(OUT, os.path.getsize(OUT), 'bytes')
