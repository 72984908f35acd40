"""The timeline as people read it on the contact page: one line per entry, the detail of each change, which
changes can be undone from here, and pages of entries continuing after the last one shown."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from contacts.history import ContactChange, Kind
from contacts_site.actions import Action

TIMELINE_PAGE_SIZE = 20
# A value longer than this is cut in the one-line summary (the detail shows it whole).
SHORT_VALUE = 24
FIELD_LABELS = {"name": "Name", "email": "Email", "phone": "Phone", "tags": "Tags", "custom_fields": "Custom fields"}
SOURCE_LABELS = {
    "ui": "staff app",
    "api": "API",
    "admin": "admin",
    "import": "import",
    "merge": "merge",
    "revert": "revert",
    "system": "system",
}
# Where an import's or a merge's page is, by the prefix of its id: the entry links there (to its undo).
# Named, not imported: those apps sit above this one and may not be installed.
REF_URL_NAMES = {"imp": "imports:detail", "mrg": "identity:merge-detail"}


def whole(value) -> str:
    """A value as text, as the expanded entry shows it."""
    if value is None or value in ("", [], {}):
        return "nothing"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def short(value) -> str:
    """A value as the one-line summary shows it: cut after SHORT_VALUE characters."""
    text = whole(value)
    return text if len(text) <= SHORT_VALUE else text[: SHORT_VALUE - 1] + "…"


@dataclass
class Row:
    """One field of a change in the expanded entry: what it was, what it became, and how to undo it."""

    label: str
    before: str
    after: str
    revert_field: str = ""  # the `field` the revert takes, or "" when this row cannot be undone


@dataclass
class Item:
    entry: ContactChange
    summary: str
    byline: str
    rows: list[Row] = field(default_factory=list)
    own: bool = False  # a note whoever is looking wrote: they may edit or delete it
    ref_url: str | None = None


def _set_difference(change: dict) -> tuple[list, list]:
    before, after = set(change.get("from") or []), set(change.get("to") or [])
    return sorted(after - before), sorted(before - after)


def _scalar_summary(label: str, change: dict) -> str:
    before, after = change.get("from"), change.get("to")
    if before in (None, ""):
        return f"{label} set to {short(after)}"
    if after in (None, ""):
        return f"{label} removed (was {short(before)})"
    return f"{label} changed from {short(before)} to {short(after)}"


def _field_summary(name: str, change: dict) -> str:
    label = FIELD_LABELS.get(name, name)
    if name == "tags":
        added, removed = _set_difference(change)
        parts = ([f"added {', '.join(added)}"] if added else []) + (
            [f"removed {', '.join(removed)}"] if removed else []
        )
        return f"Tags: {'; '.join(parts) or 'unchanged'}"
    if name == "custom_fields":
        before, after = change.get("from") or {}, change.get("to") or {}
        changed = sorted(key for key in {*before, *after} if before.get(key) != after.get(key))
        set_keys = [key for key in changed if key in after]
        removed = [key for key in changed if key not in after]
        parts = ([f"set {', '.join(set_keys)}"] if set_keys else []) + (
            [f"removed {', '.join(removed)}"] if removed else []
        )
        return f"Custom fields: {'; '.join(parts) or 'unchanged'}"
    return _scalar_summary(label, change)


def _rows(entry: ContactChange) -> list[Row]:
    """The detail of a change, each field (each custom field key) on its row with the field its revert takes."""
    rows = []
    revertible = entry.kind == Kind.CHANGED  # undoing a creation field by field means little
    for name, change in entry.changes.items():
        if not isinstance(change, dict) or name not in FIELD_LABELS:
            continue
        if name == "custom_fields":
            before, after = change.get("from") or {}, change.get("to") or {}
            for key in sorted(k for k in {*before, *after} if before.get(k) != after.get(k)):
                rows.append(
                    Row(
                        f"Custom field {key}",
                        whole(before.get(key)),
                        whole(after.get(key)),
                        f"custom_fields.{key}" if revertible else "",
                    )
                )
            continue
        rows.append(
            Row(FIELD_LABELS[name], whole(change.get("from")), whole(change.get("to")), name if revertible else "")
        )
    return rows


def summary(entry: ContactChange) -> str:
    """The entry in one line, without who and when: "Phone changed from +14155552671 to +16285550100"."""
    changes = entry.changes
    if entry.kind == Kind.NOTE:
        return "Note" + (" (edited)" if entry.edited_at else "")
    if entry.kind == Kind.DELETED:
        return "Contact deleted"
    if entry.kind == Kind.CONVERSATION:
        if not changes:
            return "Conversation started"
        subject = f": “{short(changes.get('subject'))}”" if changes.get("subject") else ""
        return f"Conversation started on {changes.get('channel', 'a channel')}{subject}"
    if entry.kind == Kind.MERGE:
        if changes.get("unmerged"):
            return f"Merge undone: {short(changes['unmerged'])} separated again"
        if changes.get("unmerged_from"):
            return f"Merge undone: separated again from {short(changes['unmerged_from'])}"
        return f"Merged with {short(changes['merged'])}" if changes.get("merged") else "Merged"
    fields = [_field_summary(name, change) for name, change in changes.items() if isinstance(change, dict)]
    if entry.kind == Kind.CREATED:
        return "Contact created" + (f" ({short(list(changes))})" if changes else "")
    return "; ".join(fields) if fields else "Changed (values erased)"


def byline(entry: ContactChange) -> str:
    """Who and from where: "by Zapier (ck_ab12cd34…), via API"."""
    source = SOURCE_LABELS.get(entry.source, entry.source)
    if entry.ref and entry.source in ("import", "merge"):
        source = f"{source} {entry.ref}"
    return f"by {entry.actor_label}, via {source}" if entry.actor_label else f"via {source}"


def ref_url(ref: str) -> str | None:
    name = REF_URL_NAMES.get(ref.partition("_")[0])
    if not name:
        return None
    try:
        return reverse(name, args=[ref])
    except NoReverseMatch:
        return None


def item(entry: ContactChange, action: Action) -> Item:
    return Item(
        entry=entry,
        summary=summary(entry),
        byline=byline(entry),
        rows=_rows(entry),
        own=entry.is_note and entry.written_by(action),
        ref_url=ref_url(entry.ref) if entry.ref else None,
    )


def timeline_page(entries, *, action: Action, before: ContactChange | None = None) -> tuple[list[Item], str | None]:
    """A page of `entries` (one contact's, newest first) after `before`, and the id to continue after, if any."""
    if before is not None:
        entries = entries.filter(
            Q(created_at__lt=before.created_at) | Q(created_at=before.created_at, id__lt=before.id)
        )
    rows = list(entries[: TIMELINE_PAGE_SIZE + 1])
    more = len(rows) > TIMELINE_PAGE_SIZE
    rows = rows[:TIMELINE_PAGE_SIZE]
    return [item(entry, action) for entry in rows], rows[-1].pk if more else None
