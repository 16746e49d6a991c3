"""Headless Debian chromium for the page tests (never a downloaded browser build)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One browser for every page test (a launch takes a second or two); each test opens
    a context of its own, which shares nothing with the others."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        await browser.close()
