"""Fixtures of the service tests."""

import pytest

from tests.helpers import publish_course, team_with_manager


@pytest.fixture
def team(mail_app, factory):
    """The course published, a manager and a team of two trainees, on the app with a mail server."""
    publish_course(mail_app)
    return team_with_manager(factory, trainees=2)
