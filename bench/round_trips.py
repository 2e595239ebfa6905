"""PostgreSQL round trips as the wire sees them: a proxy in front of the server that counts,
on every connection, each time the client speaks after the server has (or first): the client
waited for an answer before it spoke again. Driver-agnostic: a BEGIN, a COMMIT, a pool ping, a
statement being prepared, all count, and nothing that the driver did not send does."""

from __future__ import annotations

import asyncio
import contextlib


class RoundTripProxy:
    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._server: asyncio.Server | None = None
        self.count = 0

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def take(self) -> int:
        count, self.count = self.count, 0
        return count

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self._target)
        turn = {"server_spoke": True}  # the client's first message is a round trip

        async def pipe(
            reader: asyncio.StreamReader, writer: asyncio.StreamWriter, up: bool
        ) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await reader.read(65536):
                    if up and turn["server_spoke"]:
                        self.count += 1
                    turn["server_spoke"] = not up
                    writer.write(data)
                    await writer.drain()
            writer.close()

        await asyncio.gather(pipe(client_r, server_w, up=True), pipe(server_r, client_w, up=False))
