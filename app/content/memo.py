"""Memoising pure functions of texts within a budget of characters, not a count of entries.

A count bounds nothing when the keys are texts: 4,096 short labels weigh little, 256 drafts of
two megabytes weigh half a gigabyte. Each kept result is charged the length of the texts it
was computed from (and of the text it returned), a stand-in for the memory it holds; the least
recently used go first once the budget is spent, and a call charged more than `largest` is
computed and not kept at all. Every cache of the app whose entries' sizes vary goes through here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import update_wrapper
from typing import Any, Generic, TypeVar

R = TypeVar("R")


def text_size(args: tuple[Any, ...], result: Any) -> int:
    """The characters of every text among the arguments and of a text result."""
    return sum(len(a) for a in args if isinstance(a, str)) + (len(result) if isinstance(result, str) else 0)


class TextMemo(Generic[R]):
    """Results kept within a budget of characters, the least recently used out first. `weigh`
    computes a result and the characters it is charged (text_memo, weighed_memo)."""

    def __init__(
        self, weigh: Callable[..., tuple[R, int]], budget: int, largest: int, wrapped: Callable[..., Any]
    ) -> None:
        self._weigh, self._budget, self._largest = weigh, budget, largest
        self._kept: OrderedDict[tuple[Hashable, ...], tuple[R, int]] = OrderedDict()
        self._charged = 0
        self._lock = threading.Lock()
        update_wrapper(self, wrapped)

    def __call__(self, *args: Hashable) -> R:
        with self._lock:
            hit = self._kept.get(args)
            if hit is not None:
                self._kept.move_to_end(args)
                return hit[0]
        result, cost = self._weigh(*args)  # outside the lock: a slow render blocks no one
        if cost <= self._largest:
            with self._lock:
                if args not in self._kept:
                    self._kept[args] = (result, cost)
                    self._charged += cost
                while self._charged > self._budget and self._kept:
                    _, (_, freed) = self._kept.popitem(last=False)
                    self._charged -= freed
        return result

    def cache_clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._charged = 0

    @property
    def charged(self) -> int:
        """The characters kept now (for tests and benchmarks)."""
        return self._charged


def text_memo(
    budget: int, largest: int | None = None, size: Callable[[tuple[Any, ...], Any], int] = text_size
) -> Callable[[Callable[..., R]], TextMemo[R]]:
    """Decorator: keep `func`'s results within `budget` characters (see the module's docstring).
    Positional, hashable arguments only."""

    def decorate(func: Callable[..., R]) -> TextMemo[R]:
        def weigh(*args: Hashable) -> tuple[R, int]:
            result = func(*args)
            return result, size(args, result)

        return TextMemo(weigh, budget, budget // 8 if largest is None else largest, func)

    return decorate


def weighed_memo(
    budget: int, largest: int | None = None
) -> Callable[[Callable[..., tuple[R, int]]], TextMemo[R]]:
    """Decorator, as text_memo, for a function whose arguments are not the texts it costs (a
    value rebuilt from a text read by id): `func` returns (result, the characters it was made
    from); callers get the result alone."""

    def decorate(func: Callable[..., tuple[R, int]]) -> TextMemo[R]:
        return TextMemo(func, budget, budget // 8 if largest is None else largest, func)

    return decorate
