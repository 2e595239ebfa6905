"""Accounts and auth: sign up, sign in and out, the caller's own account, staff accounts."""

from __future__ import annotations

from typing import Annotated, Any, cast
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.exceptions import SerializationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from commerce.application.accounts import (
    AccountChanged,
    AddPaymentMethod,
    ChangeAccount,
    CreateStaffAccount,
    RegisterAccount,
    RemovePaymentMethod,
    add_payment_method,
    change_account,
    create_staff_account,
    register_account,
    remove_payment_method,
)
from commerce.application.auth import IssueToken, RevokeToken, issue_token, revoke_token
from commerce.domain.account import (
    CARD_NUMBER_MESSAGE,
    EMAIL_PATTERN,
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    NAME_PATTERN,
    STAFF_ROLES,
    Communications,
    StaffRole,
    find_card_number,
)
from commerce.domain.errors import DomainValidationError, NotFoundError
from commerce.domain.values import MULTILINE_PATTERN, PRINTABLE_PATTERN, Address
from commerce.entrypoints.http.auth import requires_role, signed_in
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.http.problems import problem_specs
from commerce.entrypoints.http.requests import JsonRequest
from commerce.entrypoints.http.responses import command_headers
from commerce.ports.accounts import AccountProfile, AccountProfiles, PaymentMethodSummary
from commerce.ports.auth import (
    LoginThrottle,
    PasswordHasher,
    Principal,
    TokenIssuer,
    TokenRevocations,
)
from commerce.ports.clock import Clock
from commerce.ports.unit_of_work import UnitOfWork

# Bodies: lengths bound what we accept; the domain decides what is valid (and says why). The
# schema also states the domain's email and name rules (`extra` reaches only the OpenAPI
# document), so clients and the contract fuzzer know them; the domain still checks them, with
# a message a person can read rather than a regular expression.
Email = Annotated[
    str,
    msgspec.Meta(
        max_length=MAX_EMAIL_LENGTH,
        extra_json_schema={"examples": ["ada@example.com"], "extra": {"pattern": EMAIL_PATTERN}},
    ),
]
# Passwords are free text: tabs and line breaks stay allowed (as in any password set before
# control characters were refused), other control characters are refused as everywhere.
Password = Annotated[
    str,
    msgspec.Meta(
        min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH, pattern=MULTILINE_PATTERN
    ),
]
# A password to compare with the one set: no minimum, which only a new password must meet.
PresentedPassword = Annotated[
    str, msgspec.Meta(max_length=MAX_PASSWORD_LENGTH, pattern=MULTILINE_PATTERN)
]
Name = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        extra_json_schema={"extra": {"pattern": NAME_PATTERN}},
    ),
]


class Registration(msgspec.Struct, frozen=True, kw_only=True):
    email: Email
    password: Password
    name: Name
    shipping_address: Address | None = None
    billing_address: Address | None = None


class Credentials(msgspec.Struct, frozen=True, kw_only=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]  # any printable text: a mismatch is a 401
    password: PresentedPassword


class AccessToken(msgspec.Struct, frozen=True, kw_only=True):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth 2 token type, not a secret)
    expires_in: int


class AccountPatch(msgspec.Struct, frozen=True, kw_only=True):
    """Absent fields stay as they are; an address set to `null` is removed. `communications`:
    `all` emails, or only the `essential` ones (about orders)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    shipping_address: Address | msgspec.UnsetType | None = msgspec.UNSET
    billing_address: Address | msgspec.UnsetType | None = msgspec.UNSET
    password: Password | msgspec.UnsetType = msgspec.UNSET
    current_password: PresentedPassword | msgspec.UnsetType = msgspec.UNSET
    communications: Communications | msgspec.UnsetType = msgspec.UNSET


class PaymentMethodBody(msgspec.Struct, frozen=True, kw_only=True):
    """A card saved at the gateway: its token, never its number."""

    brand: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=PRINTABLE_PATTERN)]
    last4: Annotated[str, msgspec.Meta(pattern="^[0-9]{4}$")]
    exp_month: Annotated[int, msgspec.Meta(ge=1, le=12)]
    exp_year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=PRINTABLE_PATTERN)]


class StaffRegistration(msgspec.Struct, frozen=True, kw_only=True):
    email: Email
    password: Password
    name: Name
    roles: Annotated[list[StaffRole], msgspec.Meta(min_length=1, max_length=len(STAFF_ROLES))]


async def refuse_card_numbers(request: Request[Any, Any, Any]) -> None:
    """Runs before the body is validated, so a card number anywhere in it (a value, an unknown
    field, even a key) is a 422 that neither stores nor quotes it."""
    try:
        # Decoded once (Litestar keeps it for the handler), and not yet checked: the check
        # would name an unknown field, which may be a card number.
        document = await cast(JsonRequest, request).document()
    except SerializationException:
        return  # not JSON: decoding the body for the handler answers 400
    if (path := find_card_number(document)) is not None:
        raise DomainValidationError(path, CARD_NUMBER_MESSAGE)


class AuthController(Controller):
    path = "/v1/auth"
    tags = ["auth"]  # noqa: RUF012 (Litestar reads it as a class attribute)

    @post(
        "/token",
        operation_id="issueToken",
        status_code=200,
        responses=problem_specs(400, 401, 422, 429),
    )
    async def issue(
        self,
        *,
        data: JSONBody[Credentials],
        request: Request[Any, Any, Any],
        uow: Injected[UnitOfWork],
        password_hasher: Injected[PasswordHasher],
        login_throttle: Injected[LoginThrottle],
        token_issuer: Injected[TokenIssuer],
    ) -> Response[AccessToken]:
        """Sign in. Any mismatch is the same 401; repeated failures are a 429 with
        `Retry-After`."""
        command = IssueToken(email=data.email, password=data.password, client=_client(request))
        issued = await issue_token(command, uow, password_hasher, login_throttle, token_issuer)
        body = AccessToken(access_token=issued.access_token, expires_in=issued.expires_in)
        return Response(body, headers=command_headers([]))  # no-store: see security_headers.py

    @post(
        "/logout",
        operation_id="logout",
        status_code=204,
        guards=[signed_in],
        # No content: Litestar would document `Response[None]` as a JSON `null` body.
        responses={204: ResponseSpec(None, description="Signed out"), **problem_specs(401)},
    )
    async def logout(
        self, principal: Injected[Principal], token_revocations: Injected[TokenRevocations]
    ) -> Response[None]:
        """Revoke the token this request presents: from now on it is a 401."""
        command = RevokeToken(token_id=principal.token_id, expires_at=principal.expires_at)
        await revoke_token(command, token_revocations)
        return Response(None, status_code=204, headers=command_headers([]))


class AccountsController(Controller):
    path = "/v1/accounts"
    tags = ["accounts"]  # noqa: RUF012

    @post("/", operation_id="registerAccount", responses=problem_specs(400, 409, 422))
    async def register(
        self,
        data: JSONBody[Registration],
        uow: Injected[UnitOfWork],
        password_hasher: Injected[PasswordHasher],
        clock: Injected[Clock],
    ) -> Response[AccountProfile]:
        command = RegisterAccount(
            email=data.email,
            password=data.password,
            name=data.name,
            shipping_address=data.shipping_address,
            billing_address=data.billing_address,
        )
        result = await register_account(command, uow, password_hasher, clock)
        # The new account's resource, as its owner will address it once signed in.
        return _account_response(result, status_code=201, location="/v1/accounts/me")

    @get(
        "/me",
        operation_id="getOwnAccount",
        guards=[signed_in],
        cache=False,
        responses=problem_specs(401, 404),
    )
    async def me(
        self, principal: Injected[Principal], account_profiles: Injected[AccountProfiles]
    ) -> AccountProfile:
        return await account_profiles.get(principal.account_id)

    @patch(
        "/me",
        operation_id="changeOwnAccount",
        guards=[signed_in],
        responses=problem_specs(400, 401, 404, 409, 422, 429),
    )
    async def change(
        self,
        *,
        data: JSONBody[AccountPatch],
        request: Request[Any, Any, Any],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        password_hasher: Injected[PasswordHasher],
        login_throttle: Injected[LoginThrottle],
        token_revocations: Injected[TokenRevocations],
        clock: Injected[Clock],
    ) -> Response[AccountProfile]:
        """Change the name, addresses or `communications`; a new `password` needs
        `current_password`, and signs out every other token of the account (the one this
        request presents stays valid)."""
        command = ChangeAccount(
            account_id=principal.account_id,
            token_id=principal.token_id,
            client=_client(request),
            name=data.name,
            shipping_address=data.shipping_address,
            billing_address=data.billing_address,
            password=data.password,
            current_password=data.current_password,
            communications=data.communications,
        )
        result = await change_account(
            command,
            uow,
            hasher=password_hasher,
            throttle=login_throttle,
            revocations=token_revocations,
            clock=clock,
        )
        return _account_response(result)

    @post(
        "/me/payment-methods",
        operation_id="addPaymentMethod",
        guards=[signed_in],
        before_request=refuse_card_numbers,
        responses=problem_specs(400, 401, 404, 409, 422),
    )
    async def add_payment_method(
        self,
        data: JSONBody[PaymentMethodBody],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
        clock: Injected[Clock],
    ) -> Response[PaymentMethodSummary]:
        """Save a card by the payment gateway's token. A body with anything that looks like a
        card number (13-19 digits) is a 422, and the number is neither stored nor echoed."""
        command = AddPaymentMethod(
            account_id=principal.account_id,
            brand=data.brand,
            last4=data.last4,
            exp_month=data.exp_month,
            exp_year=data.exp_year,
            token=data.token,
        )
        result = await add_payment_method(command, uow, clock)
        headers = command_headers(result.event_ids)
        headers["Location"] = f"/v1/accounts/me/payment-methods/{result.method.id}"
        return Response(PaymentMethodSummary.of(result.method), status_code=201, headers=headers)

    @delete(
        "/me/payment-methods/{payment_method_id:uuid}",
        operation_id="removePaymentMethod",
        guards=[signed_in],
        responses=problem_specs(401, 404),
    )
    async def remove_payment_method(
        self,
        payment_method_id: FromPath[UUID],
        principal: Injected[Principal],
        uow: Injected[UnitOfWork],
    ) -> Response[None]:
        command = RemovePaymentMethod(
            account_id=principal.account_id, payment_method_id=payment_method_id
        )
        result = await remove_payment_method(command, uow)
        return Response(None, status_code=204, headers=command_headers(result.event_ids))


class StaffAdminController(Controller):
    path = "/v1/admin/staff"
    tags = ["staff admin"]  # noqa: RUF012
    guards = [requires_role("admin")]  # noqa: RUF012

    @post(
        "/",
        operation_id="createStaffAccount",
        responses=problem_specs(400, 401, 403, 409, 422),
    )
    async def create(
        self,
        data: JSONBody[StaffRegistration],
        uow: Injected[UnitOfWork],
        password_hasher: Injected[PasswordHasher],
        clock: Injected[Clock],
    ) -> Response[AccountProfile]:
        """Create a staff account with one or more staff roles."""
        command = CreateStaffAccount(
            email=data.email, password=data.password, name=data.name, roles=frozenset(data.roles)
        )
        result = await create_staff_account(command, uow, password_hasher, clock)
        location = f"/v1/admin/staff/{result.account.id}"
        return _account_response(result, status_code=201, location=location)

    @get(
        "/{account_id:uuid}",
        operation_id="getStaffAccount",
        cache=False,
        responses=problem_specs(401, 403, 404),
    )
    async def show(
        self, account_id: FromPath[UUID], account_profiles: Injected[AccountProfiles]
    ) -> AccountProfile:
        profile = await account_profiles.get(account_id)
        if not STAFF_ROLES & set(profile.roles):
            raise NotFoundError(f"no staff account {account_id}")
        return profile


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _account_response(
    result: AccountChanged, status_code: int = 200, location: str | None = None
) -> Response[AccountProfile]:
    headers = command_headers(result.event_ids)
    if location is not None:
        headers["Location"] = location
    return Response(AccountProfile.of(result.account), status_code=status_code, headers=headers)
