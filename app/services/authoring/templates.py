"""Starting a new course, module or scenario from the content core's templates."""

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.content.model import Course
from app.content.parse import ID_RE
from app.content.templates import template_text
from app.extensions import db
from app.models import ContentDraft, User
from app.services import publishing
from app.services.authoring.checking import KINDS, AuthoringError, draft_of


def new_from_template(
    kind: str, slug: str | None, title: str | None, user: User, course_id: str | None = None
) -> ContentDraft:
    """Start a course, module or scenario from a template that passes lint; returns the draft."""
    if kind not in KINDS:
        raise AuthoringError(_("Choose a scenario, a module or a course."), field="kind")
    slug = (slug or "").strip()
    if not ID_RE.match(slug) or len(slug) > 120:
        raise AuthoringError(
            _(
                "The id must be kebab-case: lower-case letters, digits and dashes, "
                "starting with a letter, for example first-call."
            )
        )
    title = (title or "").strip() or slug.replace("-", " ").capitalize()
    if draft_of(kind, slug) is not None or publishing.published(kind, slug) is not None:
        raise AuthoringError(_already_exists(kind, slug))
    courses = publishing.published_all("course")
    course_version = courses.get(course_id) if course_id else next(iter(courses.values()), None)
    if kind != "course" and course_version is None:
        raise AuthoringError(
            _("Publish a course first: modules and scenarios belong to a course."), field="course"
        )
    course: Course | None = publishing.value_of(course_version) if course_version else None
    text = template_text(kind, slug, title, course)
    draft = ContentDraft(kind=kind, slug=slug, source=text, revision=1, updated_by_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:
        raise AuthoringError(_already_exists(kind, slug)) from None
    return draft


def _already_exists(kind: str, slug: str) -> str:
    if kind == "course":
        return _("A course with the id %(slug)s already exists; open it from the list.", slug=slug)
    if kind == "module":
        return _("A module with the id %(slug)s already exists; open it from the list.", slug=slug)
    return _("A scenario with the id %(slug)s already exists; open it from the list.", slug=slug)
