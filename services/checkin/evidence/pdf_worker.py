"""The process that reads uploaded PDFs for certificate verification, apart from checkin: a
hostile file (a stream that inflates to gigabytes, objects nested without end) costs this
process at most its CPU time and memory limits, at a lower CPU priority than the door scans,
and then this process is replaced (services/checkin/evidence/pdf_queue.py runs it).

Jobs come on stdin and answers go to stdout, each a 4-byte big-endian length and that many
bytes: a job is a PDF file; an answer is JSON, ``{"token": ..., "text": ...}`` or
``{"error": "unreadable" | "too_complex"}``. It imports pypdf and the standard library only.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import resource
import struct
import sys
import warnings
from pathlib import Path
from typing import Any

import pypdf
from pypdf.errors import LimitReachedError

FRAME = struct.Struct(">I")
MAX_PAGES = 3  # text is read from these first pages only
CPU_SECONDS = 2  # per file; a certificate takes about 10 ms
MEMORY_BYTES = 256 * 1024 * 1024  # address space; a certificate needs about 60 MB
# What one stream may inflate to, pypdf's limit lowered from 75 MB: a certificate's largest
# stream inflates to 8 KB. A 2 MiB bomb of zeros then takes 30 ms and 65 MB, not 200 ms and
# 230 MB (or MemoryError, and a new worker).
MAX_STREAM_BYTES = 10_000_000
NICE = 19
# Longer than any token (shared/certificates.py, MAX_TOKEN) or any certificate's text: what
# comes back to checkin stays small whatever the file holds.
MAX_TOKEN = 16 * 1024
MAX_TEXT = 100_000
OUT_OF_MEMORY = 3  # the exit status after MemoryError


def read_pdf(data: bytes) -> tuple[str | None, str]:
    """The certificate token in a PDF's Keywords (None if it has none) and its text.
    Raises on anything that is not a readable PDF."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    metadata = reader.metadata
    keywords = metadata.get("/Keywords") if metadata else None
    token = str(keywords).strip() if keywords else None
    text = " ".join(page.extract_text() for page in reader.pages[:MAX_PAGES])
    return token, text


def answer(data: bytes) -> dict[str, Any]:
    try:
        token, text = read_pdf(data)
    except (LimitReachedError, RecursionError):  # pypdf's own limits, nesting too deep
        return {"error": "too_complex"}
    except MemoryError:
        raise
    except Exception:  # any parser failure on untrusted input means "not a readable PDF"
        return {"error": "unreadable"}
    return {"token": token[:MAX_TOKEN] if token else None, "text": text[:MAX_TEXT]}


def _lower_priority() -> None:
    os.nice(NICE)
    # SCHED_IDLE: a process that wakes up takes the CPU from this one at once; at nice 19
    # alone, a door scan could wait for the rest of this one's time slice.
    with contextlib.suppress(OSError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    # With autogroup scheduling, each session is scheduled as one group and a process's nice
    # counts only within its group: this process has a session of its own (pdf_queue.py
    # starts it so), and its group's nice is what leaves the CPU to checkin and PostgreSQL.
    with contextlib.suppress(OSError):
        Path("/proc/self/autogroup").write_text(str(NICE))


def _limit(which: int, soft: int, hard: int | None = None) -> None:
    """Set a limit (the hard one too, if given), below a hard limit the process was given:
    that one cannot be raised."""
    _, given = resource.getrlimit(which)
    hard = given if hard is None else hard
    if given != resource.RLIM_INFINITY:
        soft, hard = min(soft, given), min(hard, given)
    resource.setrlimit(which, (soft, hard))


def _allow_cpu_seconds(seconds: int) -> None:
    """Let the next job use ``seconds`` more CPU time (one more at most: RLIMIT_CPU counts
    whole seconds of the process's life); past it the kernel's SIGXCPU ends the process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _limit(resource.RLIMIT_CPU, math.ceil(usage.ru_utime + usage.ru_stime) + seconds)


def main() -> None:
    jobs = sys.stdin.buffer
    # Answers go to a copy of stdout, and stdout itself to stderr: nothing printed by
    # accident can break a frame.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    logging.disable(logging.CRITICAL)  # pypdf warns about every oddity of a hostile file
    warnings.simplefilter("ignore")
    _limit(resource.RLIMIT_AS, MEMORY_BYTES, MEMORY_BYTES)
    _limit(resource.RLIMIT_CORE, 0, 0)  # SIGXCPU would dump a core
    _lower_priority()
    pypdf.overwrite_configuration(
        zlib_maximum_output_length=MAX_STREAM_BYTES,
        array_based_stream_maximum_output_length=MAX_STREAM_BYTES,
        maximum_declared_stream_length=MAX_STREAM_BYTES,
    )
    while len(head := jobs.read(FRAME.size)) == FRAME.size:
        (size,) = FRAME.unpack(head)
        data = jobs.read(size)
        _allow_cpu_seconds(CPU_SECONDS)
        try:
            reply = json.dumps(answer(data)).encode()
        except MemoryError:
            # No answer: checkin sees the pipe close, answers too_complex, starts another.
            sys.exit(OUT_OF_MEMORY)
        answers.write(FRAME.pack(len(reply)) + reply)
        answers.flush()


if __name__ == "__main__":
    main()
