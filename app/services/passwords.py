"""What makes a new password too easy to guess: too short or too long, one of the 19,640 most
common passwords (app/data/common-passwords.txt.gz, see its NOTICE), such a password or the
product's own name with digits or symbols around it (`admin123`, `petitspas1`), few distinct
characters (`aaaaaaaa`), or a password built on the person's own name or email address."""

import gzip
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 1024
LIST_PATH = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
# Words anyone would try first against this site.
PRODUCT_WORDS = frozenset({"petitspas", "petitpas", "salestraining", "mesore", "donnantdonnant"})
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+\Z")  # digits and symbols added before or after a word
_NOT_ALNUM = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(LIST_PATH, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def problem(password: str, name: str | None = None, email: str | None = None) -> str | None:
    """What is wrong with a new password, in the person's words, or None."""
    if len(password) < MIN_LENGTH:
        return str(_("Use at least %(num)d characters.", num=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        return str(_("Use at most %(num)d characters.", num=MAX_LENGTH))
    lowered = password.lower()
    core = _AROUND.sub("", lowered)
    squeezed = _NOT_ALNUM.sub("", lowered)
    if (
        lowered in common_passwords()
        or core in common_passwords()
        or squeezed in common_passwords()
        or _NOT_ALNUM.sub("", core) in PRODUCT_WORDS
        or len(set(lowered)) < 4
    ):
        return str(
            _("This password is too common or too easy to guess; a few unrelated words make a strong one.")
        )
    if _built_on(squeezed, _personal_words(name, email)):
        return str(
            _(
                "Do not build your password on your name or email address; a few "
                "unrelated words make a strong one."
            )
        )
    return None


def _personal_words(name: str | None, email: str | None) -> set[str]:
    local = (email or "").split("@", 1)[0].lower()
    words = re.split(r"[\W\d_]+", f"{name or ''} {local}".lower())
    whole = [_NOT_ALNUM.sub("", (name or "").lower()), _NOT_ALNUM.sub("", local)]
    return {w for w in words + whole if len(w) >= 3}


def _built_on(squeezed: str, words: Iterable[str]) -> bool:
    """A personal word is at least half of the password's letters and digits."""
    return any(word in squeezed and 2 * len(word) >= len(squeezed) for word in words)
