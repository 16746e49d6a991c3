"""Uploaded PDFs are read by one worker process (pdf_worker.py), one file at a time, never in
checkin's own process: here the few places in front of it, its deadline, its rests between
files, and its replacement when a file ends it or it stops answering."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import sys
from collections.abc import AsyncIterator, Iterator

import msgspec
import structlog
from aiohttp import web

from shared.config import SETTINGS

log = structlog.get_logger()
# Each job and each answer: its length, then its bytes (pdf_worker.py). The worker module is
# not imported here: it imports pypdf, which checkin itself no longer needs.
FRAME = struct.Struct(">I")
# Files waiting for the worker, besides the one it reads: a certificate takes it about 10 ms,
# a hostile file up to 3 s of CPU. One worker: on two cores, a second would only take more
# from the door scans.
WAITING = 4
MAX_ANSWER = 1024 * 1024  # bytes; the worker cuts the token and text well below
# After each file the worker rests this many times as long as the file took (at most the
# deadline), so that a flood of costly files has it busy a quarter of the time at most, less
# when the machine is busy. At the lowest priority, a worker busy all the time still took a
# quarter of a door rush's throughput on two cores. The default of VERIFY_REST_FACTOR.
REST = 3
# And for no less than this: a flood of files that are quick to refuse is read into checkin
# two a second at most (each costs its event loop a few milliseconds of copying). The
# default of VERIFY_MIN_REST_SECONDS.
MIN_REST_SECONDS = 0.5


class Unreadable(Exception):
    """The file is not a PDF that can be read."""


class TooComplex(Exception):
    """Reading the file took more than the worker may use, or more than pypdf allows."""


class NoAnswer(Exception):
    """The worker did not answer in time: the machine is too busy (its CPU limit ends a
    file that is merely slow to read well before)."""


class Answer(msgspec.Struct, frozen=True):
    token: str | None = None
    text: str = ""
    error: str | None = None


class PdfQueue:
    def __init__(
        self,
        timeout_seconds: float,
        waiting: int = WAITING,
        rest_factor: float = REST,
        min_rest_seconds: float = MIN_REST_SECONDS,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.rest_factor = rest_factor
        self.min_rest_seconds = min_rest_seconds
        self.places = 1 + waiting
        self.taken = 0
        self._turn = asyncio.Lock()  # first come, first served
        self._worker: asyncio.subprocess.Process | None = None
        self._rested_at = 0.0  # event loop time

    @property
    def full(self) -> bool:
        """Every place is taken: the worker is busy and files are waiting."""
        return self.taken >= self.places

    @contextlib.contextmanager
    def place(self) -> Iterator[None]:
        """One of the places for files in checkin (when not ``full``), taken before a file is
        read from the request: at most ``places`` uploads are in memory at once."""
        assert not self.full
        self.taken += 1
        try:
            yield
        finally:
            self.taken -= 1

    @property
    def worker_pid(self) -> int | None:
        return self._worker.pid if self._worker else None

    async def read(self, data: bytes) -> tuple[str | None, str]:
        """The token in the PDF's Keywords (None without one) and its text, read by the worker
        when its turn comes. Raises Unreadable, TooComplex or NoAnswer."""
        loop = asyncio.get_running_loop()
        async with self._turn:
            await asyncio.sleep(self._rested_at - loop.time())
            if self._worker is None or self._worker.returncode is not None:
                await self._start()
            worker = self._worker
            assert worker is not None
            started = loop.time()
            answered = False
            try:
                async with asyncio.timeout(self.timeout_seconds):
                    answer = await _ask(worker, data)
                answered = True
            except TimeoutError:
                raise NoAnswer from None
            except (asyncio.IncompleteReadError, ConnectionError, msgspec.DecodeError):
                raise TooComplex from None  # the file ended the worker (CPU or memory limit)
            finally:
                took = loop.time() - started
                rest = min(
                    max(self.rest_factor * took, self.min_rest_seconds), self.timeout_seconds
                )
                self._rested_at = loop.time() + rest
                # Without a whole answer, its next one could be this file's: the next file
                # gets a new worker.
                if not answered:
                    await self._stop(worker)
        if answer.error == "too_complex":
            raise TooComplex
        if answer.error is not None:
            raise Unreadable
        return answer.token, answer.text

    async def _start(self) -> None:
        # A session of its own, so that its lower priority counts (pdf_worker.py).
        self._worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.checkin.evidence.pdf_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            start_new_session=True,
        )

    async def _stop(self, worker: asyncio.subprocess.Process) -> None:
        self._worker = None
        killed = worker.returncode is None
        if killed:
            worker.kill()
        status = await worker.wait()
        log.warning("pdf_worker_stopped", pid=worker.pid, exit_status=status, killed=killed)

    async def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is None or worker.returncode is not None:
            return
        assert worker.stdin is not None
        worker.stdin.close()  # it ends at the end of its input
        try:
            await asyncio.wait_for(worker.wait(), timeout=5)
        except TimeoutError:
            worker.kill()
            await worker.wait()


async def _ask(worker: asyncio.subprocess.Process, data: bytes) -> Answer:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(FRAME.pack(len(data)))
    worker.stdin.write(data)
    await worker.stdin.drain()
    (size,) = FRAME.unpack(await worker.stdout.readexactly(FRAME.size))
    if size > MAX_ANSWER:
        raise TooComplex
    return msgspec.json.decode(await worker.stdout.readexactly(size), type=Answer)


PDF_QUEUE = web.AppKey("pdf_queue", PdfQueue)


async def pdf_queue_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    queue = PdfQueue(
        settings.verify_timeout_seconds,
        rest_factor=settings.verify_rest_factor,
        min_rest_seconds=settings.verify_min_rest_seconds,
    )
    app[PDF_QUEUE] = queue
    yield
    await queue.close()
