"""Problems as pages: the JSON API's handlers decide the status and the words (one place,
`http/problems.py`); here they are rendered for a person. A page that needs a signed-in
shopper sends an anonymous one to sign in, and back."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.response import Redirect
from litestar.types import ExceptionHandler, ExceptionHandlersMap

from commerce.entrypoints.http.problems import EXCEPTION_HANDLERS, Problem
from commerce.entrypoints.web.rendering import page

# Litestar's own words for a form whose CSRF token is missing or wrong.
CSRF_REFUSAL = "CSRF token verification failed"
CSRF_MESSAGE = (
    "This form has expired or was sent from another site. Reload the page and send it again."
)


def page_handlers() -> ExceptionHandlersMap:
    return {kind: _as_page(handler) for kind, handler in EXCEPTION_HANDLERS.items()}


def _as_page(handler: ExceptionHandler[Any]) -> ExceptionHandler[Any]:
    def render(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        answer = handler(request, exc)
        problem = answer.content
        assert isinstance(problem, Problem)
        if problem.status == 401:
            return sign_in_first(request)
        if problem.detail == CSRF_REFUSAL:
            problem = Problem(
                type=problem.type, title="Form expired", status=403, detail=CSRF_MESSAGE
            )
        headers = {k: v for k, v in answer.headers.items() if k.lower() == "retry-after"}
        response = page("problem.html", problem.status, problem=problem)
        response.headers.update(headers)
        return response

    return render


def sign_in_first(request: Request[Any, Any, Any]) -> Redirect:
    back = request.url.path if request.method == "GET" else "/"
    if request.method == "GET" and request.url.query:
        back = f"{back}?{request.url.query}"
    return Redirect(f"/sign-in?{urlencode({'next': back})}", status_code=303)
