"""Each learner's own comparisons, kept for them: a class shares one server, not one shelf.

The app's :class:`~neuralab.labs.compare.ModelCache` forgets the least recently used
comparisons of the whole class, so one learner's runs could push out another's and their
inside views would answer 404. A learner is known by an anonymous cookie
(:data:`COOKIE`, a random id set with the page); :class:`Shelf` keeps each learner's
latest :data:`PER_LEARNER` comparisons, within :data:`BUDGET` comparisons for the whole
class (about 1 MB each): past the budget, the learner keeping the most gives up their
oldest. Nothing is stored on disk, nor kept after the server stops.
"""

from __future__ import annotations

import itertools
import secrets
from collections import OrderedDict
from typing import Any

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from neuralab.labs.compare import ComparisonResult, ModelCache, check_params
from neuralab.params import Scope as ParamScope
from neuralab.params import group

COOKIE = "neuralab-learner"
PER_LEARNER = 4
BUDGET = 256  # comparisons for the whole class, ~1 MB each

_KEYS = tuple(group("compare"))


def _key(params: dict[str, Any]) -> tuple:
    return tuple(params[name] for name in _KEYS)


class Shelf:
    """The latest comparisons of each learner, within a budget for the whole class."""

    def __init__(self, per_learner: int = PER_LEARNER, budget: int = BUDGET) -> None:
        self.per_learner = per_learner
        self.budget = budget
        self._kept: dict[str, OrderedDict[tuple, ComparisonResult]] = {}
        self._seen: dict[str, int] = {}  # learner -> when they last kept something
        self._clock = itertools.count()

    def __len__(self) -> int:
        return sum(len(kept) for kept in self._kept.values())

    def keep(self, learner: str, result: ComparisonResult) -> None:
        """Keep ``result`` as ``learner``'s newest comparison."""
        kept = self._kept.setdefault(learner, OrderedDict())
        kept[_key(result.params)] = result
        kept.move_to_end(_key(result.params))
        self._seen[learner] = next(self._clock)
        while len(kept) > self.per_learner:
            kept.popitem(last=False)
        while len(self) > self.budget:
            richest = max(self._kept, key=lambda who: (len(self._kept[who]), -self._seen[who]))
            self._kept[richest].popitem(last=False)
            if not self._kept[richest]:
                del self._kept[richest], self._seen[richest]

    def comparison(self, learner: str | None, values: dict[str, Any],
                   scope: ParamScope = "api") -> ComparisonResult | None:
        """``learner``'s comparison with these settings, if they kept it."""
        if learner is None or learner not in self._kept:
            return None
        return self._kept[learner].get(_key(check_params(values, scope)))


class Comparisons:
    """What one learner can look inside: the class's cache, then their own shelf."""

    def __init__(self, models: ModelCache, shelf: Shelf, learner: str | None) -> None:
        self.models = models
        self.shelf = shelf
        self.learner = learner

    def comparison(self, values: dict[str, Any], scope: ParamScope = "api"
                   ) -> ComparisonResult | None:
        found = self.models.comparison(values, scope)
        if found is None:
            found = self.shelf.comparison(self.learner, values, scope)
        return found

    def keep(self, values: dict[str, Any], scope: ParamScope = "api") -> None:
        """Put the comparison just trained (or reused) with ``values`` on the shelf."""
        if self.learner is None:
            return
        found = self.comparison(values, scope)
        if found is not None:
            self.shelf.keep(self.learner, found)


def learner(connection: HTTPConnection) -> str | None:
    """The learner's anonymous id, from their cookie (None for a program without it)."""
    value = connection.cookies.get(COOKIE)
    return value if value and len(value) <= 64 and value.isalnum() else None


class LearnerCookie:
    """ASGI middleware: the page (``GET /``) gives a new learner an anonymous id cookie."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/" or \
                learner(HTTPConnection(scope)) is not None:
            await self.app(scope, receive, send)
            return
        cookie = f"{COOKIE}={secrets.token_hex(16)}; Path=/; HttpOnly; SameSite=Lax"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", cookie.encode("latin-1"))]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
