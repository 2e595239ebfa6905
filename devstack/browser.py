"""What the storefront's browser tests need besides the servers: Debian's Chromium (and its
ChromeDriver), run like the servers as the stack's unprivileged user with its sandbox on, and
axe-core from the npm registry, checked against its integrity and kept in the stack's cache
(outside the checkout). Both are fetched once; every later call finds them."""

from __future__ import annotations

import base64
import hashlib
import http.client
import shutil
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from devstack import system
from devstack.layout import Layout
from devstack.server import Server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_VERSION = "4.14.1"
AXE_INTEGRITY = (
    "sha512-"
    "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
# A closed network: without these Chromium keeps calling home (updates, sync, QUIC probes),
# and each refused connection costs time. Never `--no-sandbox`: Chromium runs as the stack's
# user, where its user-namespace sandbox works (docs/adr/0021-storefront-pages.md).
CHROMIUM_FLAGS = (
    "--headless",
    "--hide-scrollbars",
    "--mute-audio",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@dataclass
class ChromiumServer(Server):
    """A headless Chromium that Playwright attaches to over the DevTools protocol, in a folder
    of its own under the stack's state folder (several test sessions may run at once)."""

    name: ClassVar[str] = "chromium"
    env_var: ClassVar[str] = "COMMERCE_CHROMIUM_URL"  # only the tests use it: not in the stack
    start_timeout: ClassVar[float] = 30
    session: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def directory(self) -> Path:
        return self.layout.service_dir(self.name) / self.session

    @property
    def process_marker(self) -> str:
        return str(self.directory / "profile")

    def install(self) -> None:
        ensure_chromium()

    def prepare(self) -> None:
        system.make_owned_dir(self.layout, self.directory / "profile", mode=0o700)

    def command(self) -> tuple[list[str], Mapping[str, str]]:
        # setpriv: the kernel stops Chromium when the test process dies, even by SIGKILL,
        # where no `finally` runs; it would otherwise outlive the run (and its user).
        argv = ["setpriv", "--pdeathsig", "TERM", "--", str(CHROMIUM), *CHROMIUM_FLAGS]
        argv += [
            f"--user-data-dir={self.directory / 'profile'}",
            "--remote-debugging-address=127.0.0.1",
            f"--remote-debugging-port={self.port}",
        ]
        # Its own home (the service user's is /nonexistent, and Chromium writes caches there)
        # and temporary folder (its singleton socket's folder would outlive a killed Chromium).
        folder = str(self.directory)
        return argv, {"HOME": folder, "XDG_CONFIG_HOME": folder, "TMPDIR": folder}

    def is_ready(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
        try:
            connection.request("GET", "/json/version")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()


@contextmanager
def running_chromium(layout: Layout | None = None) -> Iterator[ChromiumServer]:
    """Chromium started for the caller and stopped, its folder removed, when the block ends,
    also when it ends by an exception."""
    layout = layout or Layout.from_environment()
    system.ensure_service_user(layout)
    _remove_leftovers(layout)
    server = ChromiumServer(layout, system.free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


def _remove_leftovers(layout: Layout) -> None:
    """The folders of Chromiums whose test process was killed (the kernel stopped Chromium,
    but no `finally` ran). A folder with no pid file yet is a Chromium starting: kept."""
    for folder in layout.service_dir(ChromiumServer.name).glob("*/"):
        server = ChromiumServer(layout, 0, session=folder.name)
        if (folder / f"{server.name}.pid").exists() and server.pid() is None:
            shutil.rmtree(folder, ignore_errors=True)


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
