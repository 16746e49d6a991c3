"""QR images of ticket codes (PNG for email and print, SVG for screens)."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
import qrcode.image.pure
import qrcode.image.svg
import qrcode.util

# A fixed mask skips qrcode's trial of all eight masks, about three times faster; any mask
# gives a valid code, scanners do not care which.
MASK_PATTERN = 2


def _qr(code: str, box_size: int) -> qrcode.QRCode:
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=box_size,
        border=4,
        mask_pattern=MASK_PATTERN,
    )
    qr.add_data(qrcode.util.QRData(code.encode(), mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    return qr


def qr_png(code: str, box_size: int = 8) -> bytes:
    img = _qr(code, box_size).make_image(image_factory=qrcode.image.pure.PyPNGImage)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()


def qr_svg(code: str) -> bytes:
    img = _qr(code, 10).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg: str = img.to_string(encoding="unicode")
    return svg.encode()
