"""Typed SQLAlchemy models, one module per aggregate."""

from app.models.audit import AuditEvent
from app.models.boosts import BoostAnswer, BoostItem, BoostMark
from app.models.certificates import Certificate, ObservedRolePlay
from app.models.content import (
    ContentDraft,
    ContentTranslation,
    ContentVersion,
    PublishedContent,
    PublishedTranslation,
)
from app.models.learning import (
    Assignment,
    AttemptSignal,
    AttemptStep,
    CoachingComment,
    PageView,
    ProgressSummary,
    QuizAttempt,
    ScenarioAttempt,
)
from app.models.mail import MailOptOut, Notification, OutboxMessage
from app.models.sessions import UserSession
from app.models.users import Role, Team, User

__all__ = [
    "AuditEvent",
    "BoostAnswer",
    "BoostItem",
    "BoostMark",
    "Certificate",
    "ObservedRolePlay",
    "ContentDraft",
    "ContentTranslation",
    "ContentVersion",
    "PublishedContent",
    "PublishedTranslation",
    "Assignment",
    "AttemptSignal",
    "AttemptStep",
    "CoachingComment",
    "MailOptOut",
    "Notification",
    "OutboxMessage",
    "PageView",
    "ProgressSummary",
    "QuizAttempt",
    "ScenarioAttempt",
    "Role",
    "Team",
    "User",
    "UserSession",
]
