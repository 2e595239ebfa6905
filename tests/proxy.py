"""A loopback TCP forwarder a test can cut, stall and restore, to take a real server "down"
for the code under test without touching the server itself (other tests keep using it). It
counts the connections it accepted, so a test can tell whether the client asked at all."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit


class CuttableProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stalled = False
        self.accepted = 0  # connections, stalled or forwarded
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port: int = probe.getsockname()[1]
        probe.close()

    def url(self, scheme: str, path: str = "") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        self._stalled = False
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Refuse new connections and reset the open ones, like a server that went away."""
        listener, self._listener = self._listener, None
        if listener is not None:
            # Closing alone leaves it listening while a thread waits in accept(); this ends it.
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        self._reset_open()

    def stall(self) -> None:
        """Accept connections but never answer, like a server that hangs; the open ones are
        reset, so that a client cannot go on over a connection made before."""
        self._stalled = True
        self._reset_open()

    def resume(self) -> None:
        """Forward new connections again after `stall()`, like a server that came back."""
        self._stalled = False

    def _reset_open(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
            if self._stalled:
                with self._lock:
                    self._connections.append(client)  # held open, never read nor answered
                continue
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


@contextmanager
def proxy_to(url: str) -> Iterator[CuttableProxy]:
    """A started proxy to the server at `url`'s host and port, cut at the end."""
    target = urlsplit(url)
    if target.port is None:
        raise ValueError(f"{url} names no port")
    proxy = CuttableProxy(target.hostname or "127.0.0.1", target.port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.cut()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
