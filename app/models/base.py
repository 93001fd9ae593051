from datetime import UTC, datetime


def utcnow() -> datetime:
    """Evaluated per row (a callable default), never once at import."""
    return datetime.now(UTC).replace(tzinfo=None)
