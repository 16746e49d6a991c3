"""Prometheus metrics of every service: on the service's own port, for the scraper (never
routed through the public origin)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import prometheus_client
from aiohttp import web


class HttpMetrics:
    """Per-app Prometheus registry, so several apps can live in one process (tests)."""

    def __init__(self, service: str) -> None:
        self.registry = prometheus_client.CollectorRegistry()
        self.service = service
        self.requests = prometheus_client.Counter(
            "http_requests",
            "HTTP requests answered",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = prometheus_client.Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.consumer_lag = prometheus_client.Gauge(
            "consumer_lag_messages",
            "Events in the stream not yet delivered to this service's durable consumer",
            ["stream"],
            registry=self.registry,
        )

        # The children of each (route, method, status), looked up once: labels() takes a
        # lock and builds a key on every call, which counted at thousands of requests a second.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def counter(self, name: str, doc: str, labels: list[str]) -> prometheus_client.Counter:
        return prometheus_client.Counter(name, doc, labels, registry=self.registry)

    def record(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(route, method, str(status)),
                self.latency.labels(route),
            )
            self._children[key] = children
        answered, latency = children
        answered.inc()
        latency.observe(seconds)


@web.middleware
async def metrics_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    start = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as e:
        status = e.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        request.app[METRICS].record(route, request.method, status, time.perf_counter() - start)


async def metrics(request: web.Request) -> web.Response:
    registry = request.app[METRICS].registry
    return web.Response(
        body=prometheus_client.generate_latest(registry),
        headers={"Content-Type": prometheus_client.CONTENT_TYPE_LATEST},
    )


METRICS = web.AppKey("metrics", HttpMetrics)
