"""Items collected during a transaction, handed over together once it commits.

`CommitBatch(flush).add(item)` inside a transaction: after the commit, `flush(items)` is called
once with every item added in it, in order. Outside a transaction (autocommit) the item is
flushed at once. Built on Django's documented `transaction.on_commit()` only (no connection
internals):

- when the batch is first used in a transaction, its flush is registered with `on_commit`;
- each item registers a no-op marker with `on_commit` too, and the batch keeps only weak
  references to the markers and to itself (this thread's buffer, per database alias).

Django discards the callbacks registered inside a savepoint that is rolled back, and all of
them when the transaction is rolled back ("Savepoints" and "rollback" under `on_commit` in the
transactions documentation). A discarded marker is referenced by nothing, so its weak
reference is dead when the flush runs (the flush is registered before every marker of its
batch, so the markers that survived are still waiting to run): the flush hands over exactly
the items whose savepoints were kept. A discarded flush means everything added after it was
discarded too (a rollback drops every callback from the savepoint on), so the next item
starts a new batch.
"""

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction


class _Marker:
    """An item's on_commit callback: alive while Django still means to run it."""

    __slots__ = ("__weakref__",)

    def __call__(self) -> None:
        pass


class _Batch:
    __slots__ = ("__weakref__", "done", "entries", "flush")

    def __init__(self, flush: Callable[[list], Any]) -> None:
        self.flush = flush
        self.entries: list[tuple[Any, weakref.ref]] = []
        self.done = False

    def __call__(self) -> None:
        self.done = True
        items = [item for item, marker in self.entries if marker() is not None]
        self.entries = []
        if items:
            self.flush(items)


class CommitBatch:
    """See the module docstring. One instance per kind of item (module level)."""

    def __init__(self, flush: Callable[[list], Any]) -> None:
        self._flush = flush
        self._local = threading.local()

    def add(self, item: Hashable, *, using: str | None = None) -> None:
        alias = using or DEFAULT_DB_ALIAS
        if transaction.get_autocommit(using=alias):
            self._flush([item])  # no transaction: it is committed already
            return
        refs: dict[str, weakref.ref] = self._local.__dict__.setdefault("batches", {})
        ref = refs.get(alias)
        batch = ref() if ref is not None else None
        if batch is None or batch.done:
            batch = _Batch(self._flush)
            refs[alias] = weakref.ref(batch)
            transaction.on_commit(batch, using=alias)
        marker = _Marker()
        batch.entries.append((item, weakref.ref(marker)))
        transaction.on_commit(marker, using=alias)
