"""The event catalogue and the two pure helpers every emitter uses: a timestamp format and a diff.

What an event *means* belongs to the app that emits it (contacts, conversations); this module only
names the types an endpoint may subscribe to.
"""

EVENT_TYPES = (
    "contact.created",
    "contact.updated",
    "contact.deleted",
    "contact.merged",
    "contact.unmerged",
    "conversation.created",
    "conversation.updated",
    "message.created",
    "note.created",
    "note.updated",
    "note.deleted",
    # One summary per import (and per revert), not one event per contact: see docs/import-export.md.
    "import.completed",
    "import.reverted",
)
# Sent by `POST /webhooks/{id}/test` to that one endpoint, whatever it subscribes to.
PING = "ping"
# Subscribes an endpoint to every type, including ones added later.
ALL_EVENTS = "*"

# Bumped by every save, so it would make every write look like a change.
IGNORED_IN_CHANGES = frozenset({"updated_at"})


def changes_between(before: dict, after: dict) -> dict:
    """`{"field": {"from": old, "to": new}}` for each field whose API value changed; `{}` when none did."""
    keys = [*after, *(key for key in before if key not in after)]
    return {
        key: {"from": before.get(key), "to": after.get(key)}
        for key in keys
        if key not in IGNORED_IN_CHANGES and before.get(key) != after.get(key)
    }
