"""The request class of the app: a JSON body is read strictly.

- Bytes that are not UTF-8, or nesting deeper than the decoder goes, are a 400. (msgspec
  raises `UnicodeDecodeError` and `RecursionError` for these, which Litestar does not expect
  and would answer with a 500, logging a traceback for every such request.)
- A body that is not exactly what the route's `data` declares is a 422 naming each field
  (`body_checks.py`): an unknown field, a control character, a value of another JSON type.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException

from commerce.entrypoints.http.body_checks import checked_body


class JsonRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        """The body as the route's `data` declares it, converted strictly (Litestar reads a
        route's `data` from here, and passes the converted value through unchanged)."""
        document = await self.document()
        data = self.route_handler.parsed_fn_signature.parameters.get("data")
        return document if data is None else checked_body(document, data.annotation)

    async def document(self) -> Any:
        """The JSON document of the body as it was sent, whatever the route declares."""
        try:
            return await super().json()
        except RecursionError:
            raise SerializationException("The JSON body is nested too deeply.") from None
        except SerializationException:
            # msgspec refuses invalid UTF-8 in words of its own ("Invalid UTF-8 encoded
            # string"); only a body already refused is decoded again, to say so plainly.
            if not _is_utf8(await self.body()):
                raise SerializationException("The JSON body is not valid UTF-8.") from None
            raise


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
