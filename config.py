"""Configuration, chosen by APP_ENV; every setting can be overridden by an environment
variable of the same name (DATABASE_URL, SECRET_KEY, RATELIMIT_STORAGE_URI, ...)."""

import math
import os
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# Secrets that have appeared in this repository, its docs or its defaults: anyone can sign a
# session cookie with them, so production never runs on them.
KNOWN_WEAK_SECRETS = {
    "dev",
    "development",
    "secret",
    "changeme",
    "change-me",
    "test",
    "dev-insecure-key-change-me",
    "petitspas",
    "secret-key",
    "test-secret-key-not-for-production-0123456789",
    "bench-" + "k" * 40,
}
MIN_SECRET_CHARACTERS = 32
MIN_SECRET_BITS = 96  # estimated from the key's own characters (32 random hex digits: ~120)


def _bool(value):
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


class Config:
    APP_ENV = "base"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    # No pool_pre_ping: on PostgreSQL a poll of the socket finds a connection the server ended
    # (app/__init__.py, _ended_by_server); SQLite has no server to go away.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # uploads of Markdown; 413 above this
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # A session ends after this long without a request, and this long after login whatever
    # happens (remember-me included); the cookies' own lifetimes follow (app/__init__.py).
    SESSION_IDLE_MINUTES = 8 * 60
    SESSION_LIFETIME_DAYS = 30
    # PostgreSQL: give up on a database that does not accept a connection, or does not finish a
    # statement, within this many seconds, and answer 503 instead of hanging the worker.
    SQLITE_SYNCHRONOUS = "NORMAL"  # FULL: each commit also survives a power loss (slower writes)
    LOG_FORMAT = "text"  # "json" in production: one JSON object per line
    LOG_LEVEL = "INFO"
    DATABASE_CONNECT_TIMEOUT = 5
    DATABASE_STATEMENT_TIMEOUT = 10
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_KEY_PREFIX = ""  # several sites (or benchmark runs) sharing one Redis
    RATELIMIT_HEADERS_ENABLED = True
    # Proxies in front of the app that set X-Forwarded-For (and -Proto): 1 behind one nginx or
    # load balancer. 0 (no proxy): the header is ignored, since anyone can send it.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    LOGIN_LIMIT = "10 per 5 minutes"
    CONTENT_ROOT = str(BASE_DIR)
    DEMO_PASSWORD = "petitspas"
    PAGE_SIZE = 50
    PASSWORD_HASH_METHOD = "scrypt"  # memory-hard; the tests' configuration uses a cheap one
    # Outgoing mail (Flask-Mail's names). No MAIL_SERVER: nothing is sent, messages wait in the
    # outbox (the admin's Outbox page shows them); production refuses that unless MAIL_DISABLED.
    # The organisation's time zone: "today" for due dates and the day people read on every page.
    TIMEZONE = "UTC"
    # The interface's language when neither the user's preference nor the browser names one of ours.
    DEFAULT_LOCALE = "en"
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Petits Pas <no-reply@localhost>"
    MAIL_TIMEOUT = 10  # seconds for the SMTP connection and each command
    MAIL_MAX_ATTEMPTS = 6  # then the message is marked failed (tries 1, 2, 4, 8, 16 min apart)
    MAIL_DISABLED = False
    MAIL_SEND_AFTER_REQUEST = True  # with a MAIL_SERVER, a request's mails leave once its answer is sent
    # Links in mails start with this, never with the Host header a request brought (a forged Host
    # would otherwise put an attacker's site in a password-reset mail).
    SITE_URL: str | None = "http://127.0.0.1:5000"
    PASSWORD_RESET_MINUTES = 60
    RESET_LIMIT = "5 per 15 minutes"  # reset mails asked for, per address and per email

    # Types of the settings that environment variables may override.
    _ENV_TYPES = {
        "SECRET_KEY": str,
        "DATABASE_URL": str,
        "RATELIMIT_STORAGE_URI": str,
        "RATELIMIT_KEY_PREFIX": str,
        "RATELIMIT_ENABLED": _bool,
        "PROXY_FIX_X_FOR": int,
        "PROXY_FIX_X_PROTO": int,
        "WTF_CSRF_ENABLED": _bool,
        "MAX_CONTENT_LENGTH": int,
        "SESSION_COOKIE_SECURE": _bool,
        "REMEMBER_COOKIE_SECURE": _bool,
        "LOGIN_LIMIT": str,
        "CONTENT_ROOT": str,
        "DEMO_PASSWORD": str,
        "PAGE_SIZE": int,
        "SESSION_IDLE_MINUTES": int,
        "SESSION_LIFETIME_DAYS": int,
        "DATABASE_CONNECT_TIMEOUT": int,
        "DATABASE_STATEMENT_TIMEOUT": int,
        "LOG_FORMAT": str,
        "LOG_LEVEL": str,
        "SQLITE_SYNCHRONOUS": lambda v: v.strip().upper(),
        "TIMEZONE": str,
        "DEFAULT_LOCALE": lambda v: v.strip().lower(),
        "MAIL_SERVER": str,
        "MAIL_PORT": int,
        "MAIL_USE_TLS": _bool,
        "MAIL_USERNAME": str,
        "MAIL_PASSWORD": str,
        "MAIL_DEFAULT_SENDER": str,
        "MAIL_TIMEOUT": float,
        "MAIL_MAX_ATTEMPTS": int,
        "MAIL_DISABLED": _bool,
        "MAIL_SEND_AFTER_REQUEST": _bool,
        "SITE_URL": str,
        "PASSWORD_RESET_MINUTES": int,
        "RESET_LIMIT": str,
    }

    @classmethod
    def from_environment(cls, environ=None):
        """A dict of settings: the class defaults overridden by the environment."""
        environ = os.environ if environ is None else environ
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        for name, cast in cls._ENV_TYPES.items():
            if name in environ and environ[name] != "":
                settings[name] = cast(environ[name])
        if settings.get("DATABASE_URL"):
            settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(settings["DATABASE_URL"])
        settings.pop("DATABASE_URL", None)
        return settings


def normalise_database_url(url):
    # psycopg 3 is the driver we ship; accept the common postgres:// spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class DevelopmentConfig(Config):
    APP_ENV = "development"
    SECRET_KEY = None  # the factory generates one into instance/secret_key, once (never a key in the code)
    SQLALCHEMY_DATABASE_URI = None  # the factory puts SQLite in the instance folder


class TestConfig(Config):
    APP_ENV = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-0123456789"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"  # one round: scrypt took 40% of the suite's time


class ProductionConfig(Config):
    APP_ENV = "production"
    SITE_URL = None  # required with mail: the address people reach the site at
    LOG_FORMAT = "json"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def config_for_environment(environ=None):
    environ = os.environ if environ is None else environ
    name = environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise SystemExit(f"APP_ENV={name!r} is not one of: {', '.join(CONFIGS)}")
    return CONFIGS[name]


def check_secret_key(settings):
    """Production refuses weak secrets: a signed session cookie is only as strong as its key."""
    key = (settings.get("SECRET_KEY") or "").strip()
    advice = "Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'."
    if not key:
        return (
            "SECRET_KEY is not set. Set it to a random value of at least "
            f"{MIN_SECRET_CHARACTERS} characters. {advice}"
        )
    if key.lower() in KNOWN_WEAK_SECRETS or (settings.get("SECRET_KEY") or "").lower() in KNOWN_WEAK_SECRETS:
        return f"SECRET_KEY is a known key (a default or one published in this repository). {advice}"
    if len(key) < MIN_SECRET_CHARACTERS:
        return (
            f"SECRET_KEY is too short ({len(key)} characters); use at least "
            f"{MIN_SECRET_CHARACTERS} random characters. {advice}"
        )
    if secret_bits(key) < MIN_SECRET_BITS:
        return f"SECRET_KEY is not random enough (repeated or few distinct characters). {advice}"
    return None


def check_mail_settings(settings):
    """Production sends mail (password resets, reminders) or says explicitly that it does not."""
    if settings.get("MAIL_DISABLED"):
        return None
    if not settings.get("MAIL_SERVER"):
        return (
            "MAIL_SERVER is not set: password resets and reminders could not be sent. Set MAIL_SERVER "
            "(and MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME, MAIL_PASSWORD, "
            "MAIL_DEFAULT_SENDER), or MAIL_DISABLED=1."
        )
    if not (settings.get("SITE_URL") or "").startswith(("https://", "http://")):
        return "SITE_URL is not set: the links in mails need the site's address, e.g. https://training.example.com."
    return None


def secret_bits(key):
    """Shannon's estimate of a key's randomness from its own characters, in bits: 36 spaces or
    one repeated character give 0, 64 random hex digits about 250."""
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values())
