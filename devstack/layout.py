"""Where the stack keeps its data and downloads, which ports it uses, and as whom it runs."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path

SERVICE_USER = "commerce-stack"


def _is_root() -> bool:
    return os.geteuid() == 0


def _env_path(name: str, root_default: str, user_default: Path) -> Path:
    if value := os.environ.get(name):
        return Path(value).expanduser().resolve()
    return Path(root_default) if _is_root() else user_default


@dataclass(frozen=True)
class Layout:
    """State (data, logs, pid files) and cache (downloads) live outside the checkout: as root
    in /var, where the unprivileged server user can reach them (root's home is closed to it)."""

    state_dir: Path
    cache_dir: Path
    run_as: str | None  # the user servers run as; None means the current user

    @classmethod
    def from_environment(cls) -> Layout:
        home = Path.home()
        state_home = Path(os.environ.get("XDG_STATE_HOME", home / ".local" / "state"))
        cache_home = Path(os.environ.get("XDG_CACHE_HOME", home / ".cache"))
        return cls(
            state_dir=_env_path(
                "COMMERCE_STACK_DIR", "/var/lib/commerce-stack", state_home / "commerce-stack"
            ),
            cache_dir=_env_path(
                "COMMERCE_STACK_CACHE_DIR", "/var/cache/commerce", cache_home / "commerce"
            ),
            run_as=os.environ.get("COMMERCE_STACK_USER", SERVICE_USER) if _is_root() else None,
        )

    def service_dir(self, name: str) -> Path:
        return self.state_dir / name

    def owner_ids(self) -> tuple[int, int] | None:
        if self.run_as is None:
            return None
        entry = pwd.getpwnam(self.run_as)
        return entry.pw_uid, entry.pw_gid


def port_from_env(service: str, default: int) -> int:
    return int(os.environ.get(f"COMMERCE_STACK_{service.upper()}_PORT", default))
