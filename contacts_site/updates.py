"""The one partial-update helper: every service that changes "only the fields given" uses it."""

from collections.abc import Callable
from typing import Any

from django.db import models

from contacts_site.errors import NotFound


class _Unset:
    """The default of a service's keyword arguments: "not given", as opposed to None ("set to null")."""

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


def given(**values) -> dict[str, Any]:
    """The keyword arguments a caller actually passed (those that are not UNSET)."""
    return {name: value for name, value in values.items() if value is not UNSET}


def model_update(instance: models.Model, data: dict[str, Any], *, clean: Callable[[models.Model], None]) -> list[str]:
    """Set the fields of `data` on `instance`, validate it with `clean` (which may normalize values, and
    raises ValidationError), and return the names of the fields whose value really changed.

    Compared after `clean`: an email sent again in capitals, or a name with a trailing space, is the
    value already stored. The caller saves only the fields returned, and nothing at all when none
    changed: a write that changes nothing is a no-op (no UPDATE, no new `updated_at` or ETag, no event).
    """
    before = {name: getattr(instance, name) for name in data}
    for name, value in data.items():
        setattr(instance, name, value)
    clean(instance)
    return [name for name in data if getattr(instance, name) != before[name]]


def locked_row(queryset: models.QuerySet, pk):
    """Row `pk` of `queryset` (which names its tenant), re-read under its row lock: what a write reads
    before changing it, so that concurrent writes compose. NotFound if a concurrent request deleted it
    after the caller found it: the answer the caller would have got a moment later."""
    row = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise NotFound()
    return row
