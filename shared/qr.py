"""QR images of ticket codes (PNG for email and print, SVG for screens, a matrix for PDFs)."""

from __future__ import annotations

import functools
import io

import numpy
import numpy.typing
import qrcode
import qrcode.constants
import qrcode.image.svg
import qrcode.util
import zxingcpp
from PIL import Image

# A fixed mask skips qrcode's trial of all eight masks, about three times faster; any mask
# gives a valid code, scanners do not care which.
MASK_PATTERN = 2
Matrix = numpy.typing.NDArray[numpy.bool_]
_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


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
def qr_matrix(code: str) -> Matrix:
    """The modules of the code's QR symbol, rows by columns (True is dark), quiet zone
    included; read-only.

    The very symbol ``_qr`` makes (same version, error correction, alphanumeric mode and
    mask, so the PNG, the PDF and the SVG of a ticket match module for module), encoded by
    zxing-cpp in C++: about 50 µs against qrcode's millisecond in pure Python (a sixth of
    composing a ticket email). Cached: a ticket email draws the same code twice (the
    inline PNG, the PDF).
    """
    if not _ALPHANUMERIC.issuperset(code):
        raise ValueError("not QR alphanumeric text (upper-case letters and digits)")
    symbol = zxingcpp.create_barcode(
        code, zxingcpp.BarcodeFormat.QRCode, ec_level="M", data_mask=MASK_PATTERN
    )
    matrix: Matrix = numpy.asarray(symbol.to_image(scale=1, add_quiet_zones=True)) == 0
    matrix.flags.writeable = False
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


def matrix_png(matrix: Matrix | list[list[bool]], box_size: int) -> bytes:
    """Pillow encodes the PNG in C: five times faster than qrcode's pure-Python PNG writer,
    which mattered per email."""
    light = ~numpy.asarray(matrix, dtype=bool)
    size = len(light)
    img = Image.fromarray(light).resize((size * box_size,) * 2, Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)  # a few hundred bytes more, a fifth faster
    return buf.getvalue()


def qr_svg(code: str) -> bytes:
    img = _qr(code, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg: str = img.to_string(encoding="unicode")
    return svg.encode()
