"""Who is acting, through which door: the context a recorded change of a contact carries.

Set where a request or a job enters (the API's authentication, the staff pages, the admin, the import
worker, a merge) and read by the services when they record a change. A context variable rather than
one more parameter on every service: the services are called from many doors, and who acts is the
door's knowledge, not the call's. Outside any door (a shell, a management command) the actor is the
system.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

from contacts_site.ids import prefixed_id

# Where a change came from, as the timeline names it.
SOURCES = ("ui", "api", "admin", "import", "merge", "revert", "system")


def new_action_id() -> str:
    return prefixed_id("act")


@dataclass(frozen=True)
class Action:
    """One action: every row it changes shares its `id` (a bulk tag of 10,000 contacts is one action)."""

    source: str = "system"
    # The staff user acting (pages, admin, a job a user started), or None.
    user_id: int | None = None
    # The API key acting, or None; the label names it for people ("Zapier (ck_live_ab12…)"), never its secret.
    api_key_id: int | None = None
    actor_label: str = ""
    # The import or merge this action belongs to ("imp_…", "mrg_…"), where there is one.
    ref: str = ""
    id: str = field(default_factory=new_action_id)

    def __post_init__(self):
        if self.source not in SOURCES:
            raise ValueError(f"Unknown source {self.source!r}; one of {', '.join(SOURCES)}.")


_current: ContextVar[Action | None] = ContextVar("contacts_action", default=None)


def current_action() -> Action:
    """The action under way, or a fresh system action when no door set one."""
    return _current.get() or Action()


def act(**fields) -> Action:
    """Set who acts for the rest of the enclosing `action_scope()`: for a door that learns its actor
    part-way through a request (the API knows its key only after DRF's authentication)."""
    action = replace(current_action(), id=new_action_id(), **fields)
    _current.set(action)
    return action


@contextmanager
def action_scope() -> Iterator[None]:
    """Forget, on leaving, every action set inside. A context variable set in a request lives on in the
    worker thread into the next request: the request middleware runs each request inside one of these."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def api_key_label(name: str, display_prefix: str) -> str:
    """How an API key is named on the timeline: "Zapier (ck_live_ab12…)". Its prefix, never its secret."""
    return f"{name} ({display_prefix}…)"


@contextmanager
def acting(**changes) -> Iterator[Action]:
    """Run the block as a new action: the current one with `changes` (and a new id).

    Nested doors refine the outer one: a merge started through the API is `acting(source="merge",
    ref=merge_id)` inside the API key's action, and keeps that key as its actor.
    """
    action = replace(current_action(), id=new_action_id(), **changes)
    token = _current.set(action)
    try:
        yield action
    finally:
        _current.reset(token)
