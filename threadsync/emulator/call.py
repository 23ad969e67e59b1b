"""One API request as the handlers see it: the store, the caller, the params."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Token, User
from .state import Store
from .wire import no_permission


@dataclass
class Call:
    store: Store
    method: str
    segments: list[str]
    params: dict[str, str]
    token: Token

    @property
    def user(self) -> User:
        return self.store.users[self.token.user_id]

    @property
    def now(self) -> float:
        return self.store.clock.now()

    def need(self, scope: str) -> None:
        """Ref §2 "Scopes per endpoint family": a missing scope is error 10."""
        if scope not in self.token.scopes:
            raise no_permission()
