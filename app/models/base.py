from datetime import UTC, datetime


def utcnow():
    """Evaluated per row (a callable default), never once at import."""
    return datetime.now(UTC).replace(tzinfo=None)
