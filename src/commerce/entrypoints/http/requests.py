"""The request class of the app: a JSON body nested deeper than the decoder goes is a 400.

msgspec raises `RecursionError` for such a body, which Litestar does not expect and would
answer with a 500 (and log a traceback for every such request).
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException


class JsonRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise SerializationException("The JSON body is nested too deeply.") from None
