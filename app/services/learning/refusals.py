"""Refusals every learning use case shares: the view maps them to a 404 or to a message."""


class NotFound(LookupError):
    """No such published thing, or a record of another trainee: the view answers 404."""


class NotYours(NotFound):
    """The record exists but belongs to another trainee: still a 404, and worth an audit entry."""


class Refused(ValueError):
    """A request we refuse with a message in the trainee's words; nothing was written."""
