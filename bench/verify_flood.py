"""Verify flood: the door rush, alone and while clients upload decompression bombs to the
certificate check.

Run against a running stack without the per-address limits (every client is 127.0.0.1):

    REGISTRATION_RATE_LIMIT=0 VERIFY_RATE_LIMIT=0 MAIL_RATE=0 make run   # another terminal
    .venv/bin/python bench/verify_flood.py [--uploaders 20] [--rounds 2] [door_rush options]

Sets up one event as door_rush.py does, then rushes it ``--rounds`` times twice, each rush on
a new check-in list (so every rush checks every ticket in again): once with no uploads and
once while ``--uploaders`` clients each POST a 2 MiB PDF whose page is compressed zeros to
POST /api/v1/certificates/verify on checkin's port, again as soon as each answer comes (as
a hostile client would, ignoring Retry-After). The order alternates from round to round
(quiet, flood; flood, quiet; ...), so that a machine's drift does not favour one side.
Prints each rush's scans/s, p50 and p99, checkin's peak RSS (VmHWM, reset before each rush)
and CPU time, the PDF worker's peak RSS and CPU time, and the uploads' answers; then the p99
differences. Checkin's processes are the ones listening on the port of --checkin-url.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing
import os
import random
import statistics
import time
import zlib
from collections import Counter
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import door_rush
import uvloop
from common import machine_speed, organizer_token
from scanner import Scanner

UPLOAD = (
    2 * 1024 * 1024 - 16 * 1024
)  # under the upload limit (services/checkin/evidence/uploads.py)
SAMPLE_SECONDS = 0.05


def decompression_bomb() -> bytes:
    """A one-page PDF of just under 2 MiB whose page content is zeros, compressed (to a
    two-hundredth at zlib's fastest level, quick to build)."""
    compressor = zlib.compressobj(1)
    zeros = bytes(1024 * 1024)
    stream = bytearray()
    while len(stream) < UPLOAD:
        stream += compressor.compress(zeros)
    stream += compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources"
        b" << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def listening_pids(port: int) -> list[int]:
    """The processes with a socket listening on ``port`` (each checkin process has its own)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    pids = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) in inodes for fd in fd_dir.iterdir()):
                pids.add(int(fd_dir.parent.name))
        except OSError:  # gone, or not ours to read
            continue
    return sorted(pids)


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@dataclasses.dataclass
class Usage:
    """Checkin's and its PDF workers' memory and CPU over one rush."""

    checkin_peak_kb: int = 0
    checkin_cpu: float = 0.0
    worker_peak_kb: int = 0
    worker_cpu: float = 0.0


class Watch:
    """Samples checkin's processes and their children (the PDF workers) until stopped."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.usage = Usage()
        self._stop = asyncio.Event()
        self._workers: dict[int, float] = {}  # pid: CPU seconds, last seen

    async def run(self) -> Usage:
        for pid in self.pids:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM starts again from now
        cpu = sum(_cpu_seconds(pid) for pid in self.pids)
        first_seen = {w: _cpu_seconds(w) for pid in self.pids for w in _children(pid)}
        while not self._stop.is_set():
            for pid in self.pids:
                for worker in _children(pid):
                    try:
                        rss = _status_kb(worker, "VmRSS")
                        self._workers[worker] = _cpu_seconds(worker)
                    except OSError:
                        continue
                    self.usage.worker_peak_kb = max(self.usage.worker_peak_kb, rss)
            await asyncio.sleep(SAMPLE_SECONDS)
        self.usage.checkin_peak_kb = sum(_status_kb(pid, "VmHWM") for pid in self.pids)
        self.usage.checkin_cpu = sum(_cpu_seconds(pid) for pid in self.pids) - cpu
        # A worker ended by its CPU limit took up to its last sample's time with it.
        self.usage.worker_cpu = sum(
            seconds - first_seen.get(worker, 0.0) for worker, seconds in self._workers.items()
        )
        return self.usage

    def stop(self) -> None:
        self._stop.set()


class Flood:
    """``count`` clients uploading ``pdf`` to the verify API, each again as soon as it is
    answered, until stopped; counts the answers. In a process of their own: in the
    scanners' event loop, copying their files would be counted as the scans' latency."""

    def __init__(self, checkin_url: str, pdf: bytes, count: int) -> None:
        spawn = multiprocessing.get_context("spawn")
        self._started, self._stop = spawn.Event(), spawn.Event()
        self._answers, answers = spawn.Pipe(duplex=False)
        self._process = spawn.Process(
            target=_flood,
            args=(checkin_url, pdf, count, self._started, self._stop, answers),
        )

    async def start(self) -> None:
        self._process.start()
        await asyncio.to_thread(self._started.wait)

    async def stop(self) -> tuple[Counter[str], float]:
        """The answers counted since the flood was in full swing, and the CPU seconds the
        uploaders took meanwhile (on the same machine as what is measured)."""
        self._stop.set()
        answers, cpu = await asyncio.to_thread(self._answers.recv)
        await asyncio.to_thread(self._process.join)
        return answers, cpu


def _flood(
    checkin_url: str,
    pdf: bytes,
    count: int,
    started: EventType,
    stop: EventType,
    answers: Connection,
) -> None:
    uvloop.run(_upload_all(checkin_url, pdf, count, started, stop, answers))


async def _upload_all(
    checkin_url: str,
    pdf: bytes,
    count: int,
    started: EventType,
    stop: EventType,
    answers: Connection,
) -> None:
    url = f"{checkin_url}/api/v1/certificates/verify"
    counted: Counter[str] = Counter()

    async def upload() -> None:
        client = Scanner(url, {}, content_type="application/pdf")
        while not stop.is_set():
            try:
                status, body = await client.post(pdf)
            except OSError as e:
                counted[f"error_{type(e).__name__}"] += 1
                await asyncio.sleep(0.1)
                continue
            reason = body.split(b'"reason":"', 1)[-1].split(b'"', 1)[0].decode()
            counted[f"{status} {reason}" if status == 200 else str(status)] += 1
        client.close()

    uploads = [asyncio.create_task(upload()) for _ in range(count)]
    while sum(counted.values()) < count:  # in full swing
        await asyncio.sleep(0.05)
    counted.clear()
    cpu = time.process_time()
    started.set()
    while not stop.is_set():
        await asyncio.sleep(0.05)
    answers.send((Counter(counted), time.process_time() - cpu))
    await asyncio.gather(*uploads)


@dataclasses.dataclass
class Result:
    flood: bool
    rush: door_rush.Rush
    usage: Usage
    answers: Counter[str]
    ok: bool


async def new_list(http: aiohttp.ClientSession, checkin_url: str, slug: str, n: int) -> str:
    name = f"flood-{n}-{int(time.time())}"
    async with http.post(
        f"{checkin_url}/api/v1/events/{slug}/lists",
        json={"slug": name, "name": f"Verify flood {n}"},
        headers={"Authorization": f"Bearer {organizer_token()}"},
    ) as r:
        assert r.status == 201, await r.text()
    return name


@dataclasses.dataclass(frozen=True)
class Bench:
    args: argparse.Namespace
    prepared: door_rush.Prepared
    pids: list[int]  # checkin's
    rng: random.Random
    bomb: bytes


async def one_rush(bench: Bench, n: int, flood: bool) -> Result:
    args, prepared = bench.args, bench.prepared
    async with aiohttp.ClientSession() as http:
        list_slug = await new_list(http, args.checkin_url, prepared.slug, n)
    scans = door_rush.plan(prepared, args, bench.rng)
    uploads = Flood(args.checkin_url, bench.bomb, args.uploaders) if flood else None
    watch = Watch(bench.pids)
    watching = asyncio.create_task(watch.run())
    if uploads is not None:
        await uploads.start()
    done = await door_rush.rush(args.checkin_url, scans, args.concurrency, list_slug)
    answers, uploaders_cpu = await uploads.stop() if uploads is not None else (Counter(), 0.0)
    watch.stop()
    usage = await watching
    print(f"\nrush {n}, {'while uploading bombs' if flood else 'no uploads'}, list {list_slug}")
    door_rush.print_rush(done, args)
    ok = done.results == door_rush.expected(args)
    ok = await door_rush.check_database(prepared.event_id, list_slug) and ok
    print(
        f"checkin           peak RSS {usage.checkin_peak_kb / 1024:.0f} MB,"
        f" CPU {usage.checkin_cpu:.1f} s"
    )
    print(
        f"PDF worker        peak RSS {usage.worker_peak_kb / 1024:.0f} MB,"
        f" CPU {usage.worker_cpu:.1f} s"
    )
    if flood:
        print(f"uploads           {sum(answers.values())} answered: {dict(answers)}")
        print(f"uploaders         CPU {uploaders_cpu:.1f} s")
    return Result(flood, done, usage, answers, ok)


async def main(args: argparse.Namespace) -> None:
    pids = listening_pids(urlsplit(args.checkin_url).port or 80)
    if not pids:
        raise SystemExit(f"nothing listens on {args.checkin_url}'s port")
    print(f"checkin           processes {pids}; load average {os.getloadavg()}")
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        prepared = await door_rush.prepare(args, http)
    bench = Bench(args, prepared, pids, random.Random(args.seed), decompression_bomb())
    results: list[Result] = []
    for round_ in range(args.rounds):
        for flood in (False, True) if round_ % 2 == 0 else (True, False):
            results.append(await one_rush(bench, len(results) + 1, flood))
            await asyncio.sleep(args.settle)

    print(f"\n{'rush':<6}{'uploads':<9}{'scans/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'checkin MB':>12}")
    for n, r in enumerate(results, 1):
        print(
            f"{n:<6}{'yes' if r.flood else 'no':<9}{r.rush.rate():>8.0f}"
            f"{r.rush.p50() * 1000:>8.1f}{r.rush.p99() * 1000:>8.1f}"
            f"{r.usage.checkin_peak_kb / 1024:>12.0f}"
        )
    quiet = [r.rush.p99() * 1000 for r in results if not r.flood]
    flooded = [r.rush.p99() * 1000 for r in results if r.flood]
    pairs = ", ".join(f"{f - q:+.1f}" for q, f in zip(quiet, flooded, strict=True))
    print(
        f"p99 difference    {statistics.mean(flooded) - statistics.mean(quiet):+.1f} ms"
        f" on average (flood minus quiet, round by round: {pairs}); target within 5 ms"
    )
    peak = max(r.usage.checkin_peak_kb for r in results) / 1024
    print(f"checkin peak RSS  {peak:.0f} MB; target under 200 MB")
    ok = all(r.ok for r in results)
    print("check             " + ("OK" if ok else "FAILED"))
    print(f"load average      {os.getloadavg()}")
    print(f"machine           {machine_speed()}")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    parser = door_rush.arguments(__doc__.splitlines()[0])
    parser.add_argument("--uploaders", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between rushes")
    uvloop.run(main(parser.parse_args()))
