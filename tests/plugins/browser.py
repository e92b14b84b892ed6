"""Headless Chromium for tests that open reports in a real browser.

``chromium`` gives a function ``dump_dom(path) -> str``: the DOM after the page
loaded (and any script in it ran). Chromium missing: the test fails in CI
(``CI=true``; ``.ci/run`` installs Debian's ``chromium``) and skips elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = (
            shutil.which(name)
            if not name.startswith("/")
            else (name if Path(name).is_file() else None)
        )
        if path:
            return path
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def chromium() -> Callable[[Path], str]:
    exe = find_chromium()
    if exe is None:
        if _in_ci():
            pytest.fail("chromium is not installed (CI must install Debian's chromium)")
        pytest.skip("chromium is not installed")

    def dump_dom(page: Path) -> str:
        with tempfile.TemporaryDirectory(prefix="devid-chromium-") as profile:
            proc = subprocess.run(
                [
                    exe,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-extensions",
                    f"--user-data-dir={profile}",
                    "--virtual-time-budget=3000",
                    "--dump-dom",
                    page.resolve().as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    return dump_dom
