"""The course is what the content publishes, whatever its id: nothing in the app names it."""

import os
import shutil

from app.extensions import db
from app.services import publishing
from tests.helpers import login

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def _renamed_content(tmp_path, new_id):
    for folder in ("courses", "scenarios"):
        shutil.copytree(os.path.join(ROOT, folder), tmp_path / folder)
    os.rename(tmp_path / "courses" / "business-relationship", tmp_path / "courses" / new_id)
    for path in list((tmp_path / "courses").rglob("*.md")) + list((tmp_path / "scenarios").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("business-relationship", new_id), encoding="utf-8")
    return tmp_path


def test_a_course_of_another_id_is_the_one_trainees_follow(app, client, factory, tmp_path):
    root = _renamed_content(tmp_path, "field-sales-basics")
    with app.app_context():
        report = publishing.sync_files(str(root), echo=lambda *a: None)
        db.session.commit()
        assert report.published >= 10
        assert publishing.course_id() == "field-sales-basics"
    person = factory.user()
    login(client, person.email)
    page = client.get("/learn/").get_data(as_text=True)
    assert page.count('class="stage card') == 6 and "No course is published yet" not in page
    assert 'data-role-play="ranking-the-pipeline"' in page
    assert client.get("/learn/modules/crm-data-that-matters").status_code == 200
    progress = client.get("/learn/progress").get_data(as_text=True)
    assert "Qualifying prospects" in progress and 'data-module="crm-data-that-matters"' in progress


def test_no_course_published_yet(app, client, factory):
    with app.app_context():
        assert publishing.course_id() is None
    person = factory.user()
    login(client, person.email)
    page = client.get("/learn/").get_data(as_text=True)
    assert "No course is published yet" in page
    assert client.get("/learn/progress").status_code == 200
