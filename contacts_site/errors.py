"""Domain errors: what a service says when a rule of the domain refuses a write.

Services raise these (and Django's ValidationError for field rules), never an HTTP exception. Each door
translates them in one place: the API's exception handler (`contacts_site.api.exception_handler`),
the pages' form helper (`contacts_site.forms.add_domain_error`) and, for NotFound on any page,
`contacts_site.middleware.DomainErrorMiddleware`.
"""


class DomainError(Exception):
    """Base of the errors below. `message` is what every door shows, word for word."""

    message = "The request cannot be done."

    def __init__(self, message: str | None = None):
        self.message = message or self.message
        super().__init__(self.message)


class NotFound(DomainError):
    """The object is not there (any more): deleted by a request that won a race, or never visible."""

    message = "Not found."


class Conflict(DomainError):
    """The write contradicts the current state of the data (a unique value taken, a disabled endpoint)."""

    message = "The request conflicts with the current state."

    def __init__(self, message: str | None = None, *, conflicts: list[dict] | None = None):
        super().__init__(message)
        self.conflicts = conflicts or []


class EmailTaken(Conflict):
    """Another contact of the sub-account already has this email (emails are unique per sub-account)."""

    message = "A contact with this email already exists."
    field = "email"

    def __init__(self, contact_id: str, contact_name: str = ""):
        super().__init__(conflicts=[{"field": self.field, "contact_id": contact_id}])
        self.contact_id = contact_id
        self.contact_name = contact_name


class NotYours(DomainError):
    """The object is there, but only the one who wrote it may change it (a note is its author's)."""

    message = "Only its author can change or delete this."


class StaleVersion(DomainError):
    """The caller wrote against a version (If-Match / ETag) that is no longer the current one."""

    message = "The object changed since you read it (If-Match does not match its current ETag)."
