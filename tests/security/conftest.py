"""Fixtures of the security tests."""

import pytest

from tests.xss import publish_corpus_world


@pytest.fixture
def world(app, factory):
    """The XSS corpus published as a course and a scenario, with a finished attempt."""
    return publish_corpus_world(app, factory)
