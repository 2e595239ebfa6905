"""In-memory twin of the account profile query: reads the committed accounts of the store."""

from __future__ import annotations

from uuid import UUID

from commerce.adapters.memory.unit_of_work import InMemoryStore
from commerce.domain.errors import NotFoundError
from commerce.ports.accounts import AccountProfile


class InMemoryAccountProfiles:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def get(self, account_id: UUID) -> AccountProfile:
        try:
            return AccountProfile.of(self._store.accounts[account_id])
        except KeyError:
            raise NotFoundError(f"no account {account_id}") from None
