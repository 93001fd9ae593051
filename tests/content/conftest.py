"""Fixtures of the content core's tests (the sample content is in samples.py)."""

import os

import pytest

from app.content.parse import parse_course
from tests.content.samples import ROOT


@pytest.fixture(scope="session")
def course():
    path = os.path.join(ROOT, "courses", "demo-course", "course.md")
    with open(path, "rb") as fh:
        value, findings = parse_course(fh.read(), path)
    assert findings == []
    return value
