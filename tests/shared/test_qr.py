"""The ticket codes' QR symbols: one symbol for the email's PNG, the PDF and the SVG."""

from __future__ import annotations

import io
import uuid

import numpy
import pytest
import zxingcpp
from nacl.signing import SigningKey
from PIL import Image

from shared.codes import sign_code
from shared.qr import _qr, matrix_png, qr_matrix, qr_png
from shared.ticket_pdf import qr_operators

KEY = SigningKey.generate()


def _codes(n: int) -> list[str]:
    return [sign_code(KEY, 1, uuid.uuid4(), uuid.uuid4()) for _ in range(n)]


def test_the_matrix_is_the_symbol_qrcode_draws_for_the_svg() -> None:
    # zxing-cpp encodes the PNG's and the PDF's symbol, qrcode the SVG's: the same
    # version, error correction, mode and mask, so the very same modules.
    for code in _codes(20):
        assert qr_matrix(code).tolist() == _qr(code, 1).get_matrix()


def test_the_email_png_reads_back_as_the_code_with_medium_error_correction() -> None:
    [code] = _codes(1)
    image = Image.open(io.BytesIO(qr_png(code)))
    assert image.format == "PNG" and image.mode == "1"
    modules = len(qr_matrix(code))
    assert image.size == (modules * 8, modules * 8)
    [found] = zxingcpp.read_barcodes(image.convert("L"))
    assert found.text == code
    assert found.ec_level == "M"


def test_the_png_has_one_square_of_pixels_per_module() -> None:
    [code] = _codes(1)
    matrix = qr_matrix(code)
    pixels = numpy.asarray(Image.open(io.BytesIO(matrix_png(matrix, 3))).convert("L")) == 0
    assert (pixels[::3, ::3] == matrix).all()
    assert (pixels == matrix.repeat(3, 0).repeat(3, 1)).all()


def test_the_matrix_is_shared_and_read_only() -> None:
    [code] = _codes(1)
    assert qr_matrix(code) is qr_matrix(code)  # drawn once for the PNG and the PDF
    with pytest.raises(ValueError):
        qr_matrix(code)[0, 0] = True


def test_only_alphanumeric_text_is_a_ticket_code() -> None:
    # Anything else would be encoded in another mode: a different symbol from the SVG's.
    with pytest.raises(ValueError):
        qr_matrix("cnk1-lower-case")


def test_the_pdf_rectangles_cover_exactly_the_dark_modules() -> None:
    for code in _codes(5):
        matrix = qr_matrix(code)
        n = len(matrix)
        ops = qr_operators(matrix, 10.0, 700.0, 2.5).splitlines()
        assert ops[0] == f"q 2.5000 0 0 2.5000 10.000 {700.0 - n * 2.5:.3f} cm"
        assert ops[-1] == "f Q"
        painted = numpy.zeros((n, n), dtype=int)
        for op in ops[1:-1]:
            x, y, width, height, name = op.split()
            assert (height, name) == ("1", "re")
            row = n - 1 - int(y)
            painted[row, int(x) : int(x) + int(width)] += 1
        assert (painted == matrix).all()  # every dark module once, no light one


def test_a_blank_matrix_draws_no_rectangle() -> None:
    blank = numpy.zeros((21, 21), dtype=bool)
    assert qr_operators(blank, 0, 0, 1) == "q 1.0000 0 0 1.0000 0.000 -21.000 cm\n\nf Q"
