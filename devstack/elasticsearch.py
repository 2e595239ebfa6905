"""Elasticsearch from its Maven Central distribution, on a Java runtime from Debian's packages.

The `integ-test-zip` distribution is the server alone, without optional modules; no 9.x of it
is published on Maven Central, so the stack runs the latest 8.19 (see docs/adr/0002).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import urllib.request
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from devstack import system
from devstack.server import Server

VERSION = "8.19.21"
ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{VERSION}:zip"
JAVA_PACKAGE = "openjdk-17-jre-headless"
SUPPORTED_JAVA = (21, 17)  # most preferred first; both are supported by Elasticsearch 8.19
HEAP_VARIABLE = "COMMERCE_STACK_ELASTICSEARCH_HEAP"
# Enough for the search bench's 100 000 products on a 2-core, few-GB box; a million products
# want 2g or more (README, "Search").
DEFAULT_HEAP = "1g"
_HEAP_SIZE = re.compile(r"[1-9][0-9]*[mg]")


def heap_from_env() -> str:
    """The JVM heap the stack gives Elasticsearch: `COMMERCE_STACK_ELASTICSEARCH_HEAP`."""
    heap = os.environ.get(HEAP_VARIABLE, DEFAULT_HEAP).strip().lower()
    if not _HEAP_SIZE.fullmatch(heap):
        raise system.StackError(
            f"{HEAP_VARIABLE}={heap!r} is not a heap size; give one such as 1g or 1536m"
        )
    return heap


@dataclass
class ElasticsearchServer(Server):
    name: ClassVar[str] = "elasticsearch"
    env_var: ClassVar[str] = "COMMERCE_ELASTICSEARCH_URL"
    start_timeout: ClassVar[float] = 180
    heap: str = field(default_factory=heap_from_env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def process_marker(self) -> str:
        return "elasticsearch"

    @property
    def home(self) -> Path:
        # Unpacked into the state folder, not the cache: a never-used state folder takes the
        # whole first-run path (unzip included); only the download is cached.
        return self.directory / f"elasticsearch-{VERSION}"

    @property
    def _config(self) -> Path:
        return self.directory / "config"

    def install(self) -> None:
        if _java_home() is None:
            system.apt_install([JAVA_PACKAGE], "a Java 17+ runtime for Elasticsearch")
        if not (self.home / "bin" / "elasticsearch").exists():
            _unpack(_download(self.layout.cache_dir), self.home)

    def prepare(self) -> None:
        shutil.copytree(self.home / "config", self._config, dirs_exist_ok=True)
        (self._config / "elasticsearch.yml").write_text(self._settings())
        (self._config / "jvm.options.d" / "heap.options").write_text(
            f"-Xms{self.heap}\n-Xmx{self.heap}\n"
        )
        system.hand_over_tree(self.layout, self._config)
        for folder in ("data", "logs", "tmp"):
            system.make_owned_dir(self.layout, self.directory / folder)

    def _settings(self) -> str:
        return "\n".join(
            [
                "cluster.name: commerce-stack",
                "node.name: commerce-stack-1",
                "discovery.type: single-node",
                "network.host: 127.0.0.1",
                f"http.port: {self.port}",
                # A range: the node takes the first free one (only this node ever joins).
                f"transport.port: {self.port + 100}-{self.port + 199}",
                f"path.data: {self.directory / 'data'}",
                f"path.logs: {self.directory / 'logs'}",
                # A loopback-only node for development and tests: no TLS, no users.
                "xpack.security.enabled: false",
                # A nearly full disk must not turn indices read-only on a developer's machine.
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "",
            ]
        )

    def command(self) -> tuple[list[str], Mapping[str, str]]:
        java_home = _java_home()
        if java_home is None:
            raise system.StackError(f"no Java runtime found; install {JAVA_PACKAGE}")
        env = {
            "ES_JAVA_HOME": str(java_home),
            "ES_PATH_CONF": str(self._config),
            "ES_TMPDIR": str(self.directory / "tmp"),
            # The launcher's own JVM writes its probe folders (`final-flags*`) to its temporary
            # folder and leaves them: into the state folder, which goes with the stack.
            "CLI_JAVA_OPTS": f"-Djava.io.tmpdir={self.directory / 'tmp'}",
        }
        return [str(self.home / "bin" / "elasticsearch")], env

    def stop(self) -> bool:
        stopped = super().stop()
        # The JVM's folder for its users' jstat data, always in /tmp whatever the settings,
        # empty once its JVMs ended: left, there would be one more for each fresh stack's user.
        if stopped and self.layout.run_as is not None:
            with contextlib.suppress(OSError):  # gone, or in use by another of its JVMs
                Path("/tmp", f"hsperfdata_{self.layout.run_as}").rmdir()  # noqa: S108
        return stopped

    def is_ready(self) -> bool:
        url = f"{self.url}/_cluster/health?wait_for_status=green&timeout=1s"
        try:
            with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (our http URL)
                return bool(json.load(response)["status"] == "green")
        except (OSError, ValueError, KeyError):
            return False


def _download(cache_dir: Path) -> Path:
    """Fetch the zip with Maven once, so the machine's Maven settings (mirrors) apply."""
    target = cache_dir / f"elasticsearch-{VERSION}.zip"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    if system.which("mvn") is None:
        system.apt_install(["maven"], "Maven (to fetch Elasticsearch)")
    print(f"stack: downloading Elasticsearch {VERSION} from Maven Central", flush=True)
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "dependency:copy",
            f"-Dartifact={ARTIFACT}",
            f"-DoutputDirectory={cache_dir}",
        ],
        check=True,
        cwd=cache_dir,
    )
    return target


def _unpack(archive: Path, home: Path) -> None:
    """Unzip keeping the executable bits (zipfile drops them), into place atomically."""
    staging = home.with_name(home.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as bundle:
        for member in bundle.infolist():
            path = Path(bundle.extract(member, staging))
            if mode := member.external_attr >> 16:
                path.chmod(mode & 0o777)
    (top,) = staging.iterdir()
    shutil.rmtree(home, ignore_errors=True)
    top.rename(home)
    staging.rmdir()


def _java_home() -> Path | None:
    if explicit := os.environ.get("ES_JAVA_HOME"):
        return Path(explicit)
    found: dict[int, Path] = {}
    for release in Path("/usr/lib/jvm").glob("*/release"):
        if (release.parent / "bin" / "java").exists() and not release.parent.is_symlink():
            match = re.search(r'JAVA_VERSION="(\d+)', release.read_text())
            if match:
                found.setdefault(int(match.group(1)), release.parent)
    for major in SUPPORTED_JAVA:
        if major in found:
            return found[major]
    return None
