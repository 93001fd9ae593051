from datetime import datetime, timezone


def utcnow():
    """Evaluated per row (a callable default), never once at import."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
