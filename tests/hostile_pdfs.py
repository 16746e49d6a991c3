"""PDFs made to hurt a parser, built by hand: a decompression bomb, a page whose text takes
seconds of CPU to read, and the smallest PDF that is readable at all."""

from __future__ import annotations

import functools
import zlib

FONT = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"


def pdf_of_page(content: bytes, filter: bytes = b"/Filter /FlateDecode") -> bytes:
    """A one-page PDF whose page content stream is ``content`` (already encoded by
    ``filter``), with an exact cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
        + FONT
        + b" /Contents 4 0 R >>",
        b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(content), filter, content),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@functools.cache
def decompression_bomb(size: int = 2 * 1024 * 1024) -> bytes:
    """A PDF of just under ``size`` bytes whose page content is zeros, compressed: 2 MiB
    inflate to 460 MiB (at zlib's fastest level, quick to build; at its best, 2 GiB)."""
    compressor = zlib.compressobj(1)
    zeros = bytes(1024 * 1024)  # compressed to about 4.5 KiB
    compressed = bytearray()
    while len(compressed) < size - 16 * 1024:
        compressed += compressor.compress(zeros)
    compressed += compressor.flush()
    return pdf_of_page(bytes(compressed))


@functools.cache
def slow_pdf(lines: int = 200_000) -> bytes:
    """A 26 KB PDF whose page shows one word ``lines`` times (9 MB inflated): reading its text
    takes pypdf several seconds of CPU, within its limits."""
    line = b"BT /F1 12 Tf 1 0 0 1 50 50 Tm (hello) Tj ET\n"
    return pdf_of_page(zlib.compress(line * lines, 9))


def plain_pdf() -> bytes:
    """A readable PDF that is no certificate (it has no token)."""
    return pdf_of_page(b"BT /F1 12 Tf 50 800 Td (Hello) Tj ET", filter=b"")
