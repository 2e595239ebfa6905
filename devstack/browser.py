"""What the storefront's browser tests need besides the servers: Debian's Chromium (and its
ChromeDriver), and axe-core from the npm registry, checked against its integrity and kept in
the stack's cache (outside the checkout). Both are fetched once; every later call finds them."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

from devstack import system
from devstack.layout import Layout

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_VERSION = "4.14.1"
AXE_INTEGRITY = (
    "sha512-"
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
# A closed network: without these Chromium keeps calling home (updates, sync, QUIC probes),
# and each refused connection costs time. `--no-sandbox` only as root, where Chromium refuses
# to start with its sandbox; as any other user the sandbox stays on.
CHROMIUM_FLAGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_flags() -> list[str]:
    return [*CHROMIUM_FLAGS, *(["--no-sandbox"] if os.geteuid() == 0 else [])]


def ensure_chromium() -> Path:
    """Debian's `chromium` and `chromium-driver`, installed if either is missing."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        system.apt_install(["chromium", "chromium-driver"], "Chromium for the browser tests")
    return CHROMIUM


def ensure_axe(layout: Layout | None = None) -> Path:
    """`axe.min.js` of axe-core AXE_VERSION, from the npm registry into the stack's cache."""
    cache = (layout or Layout.from_environment()).cache_dir / f"axe-core-{AXE_VERSION}"
    script = cache / "axe.min.js"
    if script.exists():
        return script
    if system.which("npm") is None:
        raise system.StackError("npm is missing: run `sudo apt-get install npm`")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["npm", "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", folder],
            check=True,
            capture_output=True,
        )
        tarball = Path(folder) / f"axe-core-{AXE_VERSION}.tgz"
        if integrity(tarball.read_bytes()) != AXE_INTEGRITY:
            raise system.StackError(f"{tarball.name} does not match its integrity: not used")
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/axe.min.js")
            assert member is not None, "axe-core's tarball has no axe.min.js"
            content = member.read()
    cache.mkdir(parents=True, exist_ok=True)
    partial = script.with_suffix(".partial")
    partial.write_bytes(content)
    partial.replace(script)  # whole or not at all, for a run that stops half way
    return script


def integrity(content: bytes) -> str:
    """npm's `integrity` of a tarball (Subresource Integrity, SHA-512)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(content).digest()).decode()
