"""Sign up, sign in, sign out: the same handlers as `/v1/accounts` and `/v1/auth`, with the
token kept in the session cookie."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from commerce.application.accounts import RegisterAccount, register_account
from commerce.application.auth import IssueToken, RevokeToken, issue_token, revoke_token
from commerce.domain.errors import DomainError
from commerce.entrypoints.http.accounts import Email, Name, Password, PresentedPassword
from commerce.entrypoints.http.auth import signed_in
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.web.cookies import SESSION, expired
from commerce.entrypoints.web.forms import decode, fields, form_again
from commerce.entrypoints.web.rendering import local_path, page
from commerce.entrypoints.web.session import session_cookie
from commerce.ports.auth import (
    LoginThrottle,
    PasswordHasher,
    Principal,
    TokenIssuer,
    TokenRevocations,
)
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork

Next = Annotated[str | None, QueryParameter(name="next", max_length=2000)]


class SignInForm(msgspec.Struct, frozen=True, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    password: PresentedPassword


class SignUpForm(msgspec.Struct, frozen=True, kw_only=True):
    name: Name
    email: Email
    password: Password


class AccountPages(Controller):
    path = "/"

    @get("/sign-in", name="sign-in")
    async def sign_in_page(self, next_page: Next = None) -> Template:
        return page("sign_in.html", next=local_path(next_page))

    @post("/sign-in", status_code=303)
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        password_hasher: Injected[PasswordHasher],
        login_throttle: Injected[LoginThrottle],
        token_issuer: Injected[TokenIssuer],
    ) -> Template | Redirect:
        form = fields(await request.form())
        back = local_path(form.get("next"))
        try:
            data = decode(form, SignInForm)
            client = request.client.host if request.client else "unknown"
            command = IssueToken(email=data.email, password=data.password, client=client)
            issued = await issue_token(command, uow, password_hasher, login_throttle, token_issuer)
        except DomainError as error:
            return form_again("sign_in.html", error, email=form.get("email", ""), next=back)
        return Redirect(back, status_code=303, cookies=[session_cookie(issued)])

    @get("/sign-up", name="sign-up")
    async def sign_up_page(self, next_page: Next = None) -> Template:
        return page("sign_up.html", next=local_path(next_page), values={})

    @post("/sign-up", status_code=303)
    async def sign_up(
        self,
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        password_hasher: Injected[PasswordHasher],
        token_issuer: Injected[TokenIssuer],
        clock: Injected[Clock],
    ) -> Template | Redirect:
        form = fields(await request.form())
        back = local_path(form.get("next"))
        try:
            data = decode(form, SignUpForm)
            command = RegisterAccount(email=data.email, password=data.password, name=data.name)
            result = await register_account(command, uow, password_hasher, clock)
        except DomainError as error:
            values = {"name": form.get("name", ""), "email": form.get("email", "")}
            return form_again("sign_up.html", error, values=values, next=back)
        # Signed in at once: the password was just set, there is nothing to check again.
        issued = token_issuer.issue(result.account.id, result.account.roles)
        return Redirect(back, status_code=303, cookies=[session_cookie(issued)])

    @post("/sign-out", guards=[signed_in], status_code=303)
    async def sign_out(
        self, principal: Injected[Principal], token_revocations: Injected[TokenRevocations]
    ) -> Redirect:
        command = RevokeToken(token_id=principal.token_id, expires_at=principal.expires_at)
        await revoke_token(command, token_revocations)
        return Redirect("/", status_code=303, cookies=[expired(SESSION)])
