"""`/staff`: where the navigation's Staff link leads, listing the sections the member's roles
open (a shipping operator, who works from an order's page, is told so)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from commerce.domain.account import STAFF_ROLES
from commerce.entrypoints.http.auth import requires_role
from commerce.entrypoints.http.dependencies import Injected
from commerce.entrypoints.web.rendering import page
from commerce.entrypoints.web.staff_sections import sections_for
from commerce.ports.auth import Principal


class StaffHomePage(Controller):
    path = "/staff"

    @get("/", name="staff-home", guards=[requires_role(*sorted(STAFF_ROLES))])
    async def home(self, principal: Injected[Principal]) -> Template:
        return page("staff/home.html", sections=sections_for(principal))
