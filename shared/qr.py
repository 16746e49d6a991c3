"""QR images of ticket codes (PNG for email and print, SVG for screens, a matrix for PDFs)."""

from __future__ import annotations

import functools
import io

import qrcode
import qrcode.constants
import qrcode.image.svg
import qrcode.util
from PIL import Image

# A fixed mask skips qrcode's trial of all eight masks, about three times faster; any mask
# gives a valid code, scanners do not care which.
MASK_PATTERN = 2


def _qr(code: str, box_size: int) -> qrcode.QRCode:
    qr = qrcode.QRCode(
        version=_version(len(code)),
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=box_size,
        border=4,
        mask_pattern=MASK_PATTERN,
    )
    qr.add_data(qrcode.util.QRData(code.encode(), mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=False)
    return qr


@functools.cache
def _version(length: int) -> int:
    """The smallest QR version holding ``length`` alphanumeric characters at error
    correction M: found once per length (all ticket codes have one), which saves a
    quarter of drawing each code."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(qrcode.util.QRData(b"0" * length, mode=qrcode.util.MODE_ALPHA_NUM))
    version: int = qr.best_fit()
    return version


@functools.lru_cache(maxsize=256)
def qr_matrix(code: str) -> list[list[bool]]:
    """The modules of the code's QR symbol, row by row (True is dark), quiet zone included.

    Cached: a ticket email draws the same code twice (the inline PNG, the PDF). Callers
    must not change the matrix.
    """
    matrix: list[list[bool]] = _qr(code, 1).get_matrix()
    return matrix


def qr_png(code: str, box_size: int = 8) -> bytes:
    """A black-and-white PNG, ``box_size`` pixels per module."""
    return matrix_png(qr_matrix(code), box_size)


def text_qr_png(text: str, box_size: int = 6) -> bytes:
    """A PNG of any text (byte mode, low error correction), such as a pairing link."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return matrix_png(qr.get_matrix(), box_size)


def matrix_png(matrix: list[list[bool]], box_size: int) -> bytes:
    """Pillow encodes the PNG in C: five times faster than qrcode's pure-Python PNG writer,
    which mattered per email."""
    size = len(matrix)
    img = Image.new("1", (size, size))
    img.putdata([0 if dark else 1 for row in matrix for dark in row])
    img = img.resize((size * box_size, size * box_size), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)  # a few hundred bytes more, a fifth faster
    return buf.getvalue()


def qr_svg(code: str) -> bytes:
    img = _qr(code, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg: str = img.to_string(encoding="unicode")
    return svg.encode()
