"""Background work: keeping loops alive, stopping them, running them every so often,
pacing them, and batching what arrives together.

Every background loop of a service runs inside a cleanup context: started when the app
starts, kept alive by ``supervise`` (a crash is logged and the loop started again), and
stopped with ``stop_task`` when the app stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import structlog

log = structlog.get_logger()
Item = TypeVar("Item")
Result = TypeVar("Result")


async def stop_task(task: asyncio.Task[None], timeout: float = 10.0) -> None:
    """Cancel ``task`` and wait for it, cancelling again if a library swallowed the first one.

    Python 3.11's ``asyncio.wait_for`` (used inside nats-py's fetch) can lose a cancellation
    that races with its own timeout; one ``cancel()`` is then not enough.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while not task.done():
        task.cancel()
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining <= 0:
            log.error("background_task_would_not_stop", task=task.get_name())
            return
        await asyncio.wait({task}, timeout=min(0.5, remaining))
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()


async def supervise(run: Callable[[], Awaitable[None]], name: str) -> None:
    """Keep a background loop alive: log a crash and start it again after a pause."""
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background_task_crashed", task=name)
            await asyncio.sleep(2)


@contextlib.asynccontextmanager
async def periodic(
    name: str, work: Callable[[], Awaitable[None]], every: float, first_after: float = 0.0
) -> AsyncIterator[None]:
    """Run ``work`` in the background every ``every`` seconds (the first time after
    ``first_after``), kept alive by supervise, until the block ends."""

    async def forever() -> None:
        await asyncio.sleep(first_after)
        while True:
            await work()
            await asyncio.sleep(every)

    task = asyncio.create_task(supervise(forever, name), name=name)
    try:
        yield
    finally:
        await stop_task(task)


class Pacer:
    """Spaces the batches of a loop that takes whatever has gathered (a consumer's fetch,
    an outbox relay's or the email sender's claim). After a batch that did not fill up,
    the next is taken ``interval`` seconds after it at the earliest: a steady trickle is
    then taken a few events at a time (one transaction, one round of acknowledgements)
    instead of one by one, while the first event after a quiet spell is taken at once."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.last = -math.inf

    def took(self) -> None:
        """A batch was taken now."""
        self.last = asyncio.get_running_loop().time()

    async def pause(self) -> None:
        """Wait until ``interval`` has passed since the last batch was taken."""
        delay = self.last + self.interval - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)


# Decides a whole batch: one result (or the exception to answer it with) per item, in order.
Process = Callable[[list[Item]], Awaitable[Sequence[Result | Exception]]]


class Batcher(Generic[Item, Result]):
    """Requests arriving together are handled together: ``submit`` queues an item and
    waits for its result, and each worker takes every item waiting (up to ``max_batch``)
    and hands them to ``process`` at once. Nothing waits for a batch to fill: the next
    batch is whatever arrived while the previous one ran, so a lone item goes at once."""

    def __init__(self, name: str, process: Process[Item, Result], max_batch: int) -> None:
        self.name = name
        self.process = process
        self.max_batch = max_batch
        self.queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self.wake = asyncio.Event()

    async def submit(self, item: Item) -> Result:
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self.queue.append((item, done))
        self.wake.set()
        return await done

    @contextlib.asynccontextmanager
    async def running(self, workers: int = 1) -> AsyncIterator[None]:
        """``workers`` batches in flight at once, until the block ends; then every item
        still waiting is answered with an error."""
        tasks = [
            asyncio.create_task(supervise(self._run, self.name), name=self.name)
            for _ in range(workers)
        ]
        try:
            yield
        finally:
            for task in tasks:
                await stop_task(task)
            self._fail(RuntimeError(f"{self.name} is shutting down"), self.queue)
            self.queue = []

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.queue:
                batch, self.queue = self.queue[: self.max_batch], self.queue[self.max_batch :]
                try:
                    results = await self.process([item for item, _ in batch])
                except asyncio.CancelledError:
                    self._fail(RuntimeError(f"{self.name} is shutting down"), batch)
                    raise
                except Exception as e:
                    log.exception("batch_failed", batcher=self.name, size=len(batch))
                    self._fail(e, batch)
                    continue
                for (_, done), result in zip(batch, results, strict=True):
                    if done.done():  # its request may have gone away
                        continue
                    if isinstance(result, Exception):
                        done.set_exception(result)
                    else:
                        done.set_result(result)

    @staticmethod
    def _fail(error: Exception, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        for _, done in batch:
            if not done.done():
                done.set_exception(error)
