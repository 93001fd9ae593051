"""The interface's languages: every message has its French, the page speaks the language it
negotiates, and the compiled catalogs are never missing."""

import re

import pytest
from babel.messages.pofile import read_po

from app import i18n

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


def _french():
    with i18n.catalog_paths()["fr"].open("rb") as fh:
        return read_po(fh, locale="fr")


def _where(message):
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:3])


def test_every_message_of_the_interface_has_its_french():
    """Fails on a message of the code or templates that is missing, empty or fuzzy in the French
    catalog: run `make translations` and write the French of the entries it names."""
    template, french = i18n.extract(), _french()
    problems = []
    for message in template:
        if not message.id:
            continue
        found = french.get(message.id, context=message.context)
        label = message.id[0] if isinstance(message.id, tuple) else message.id
        if found is None:
            problems.append(f"missing: {label!r} ({_where(message)})")
            continue
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        if not all(s and s.strip() for s in strings):
            problems.append(f"empty: {label!r} ({_where(message)})")
        elif found.fuzzy:
            problems.append(f"fuzzy: {label!r} ({_where(message)})")
        else:
            wanted = set(
                PLACEHOLDER.findall(" ".join(message.id if isinstance(message.id, tuple) else (message.id,)))
            )
            for text in strings:
                if set(PLACEHOLDER.findall(text)) - wanted or (
                    len(strings) == 1 and set(PLACEHOLDER.findall(text)) != wanted
                ):
                    problems.append(f"placeholders differ: {label!r} -> {text!r}")
    assert not problems, "French catalog (run `make translations`, then translate):\n" + "\n".join(problems)


# A quoted English sentence handed to a template macro or attribute, outside gettext: French
# readers would see it in English (the catalog check above cannot see what was never marked).
UNMARKED = re.compile(r"""\b(hint|label|placeholder|title|aria-label)=(['"])[A-Z][a-z](?:\\.|(?!\2).)*\2""")


def test_no_template_hands_an_english_sentence_past_gettext():
    from pathlib import Path

    root = Path(i18n.__file__).resolve().parent / "templates"
    found = [
        f"{path.relative_to(root)}:{n}: {m.group(0)}"
        for path in sorted(root.rglob("*.html"))
        if path.parent.name not in ("author", "mail")  # the studio's own check; mails: their templates
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for m in UNMARKED.finditer(line)
    ]
    assert not found, "wrap these in _() and translate them:\n" + "\n".join(found)


def test_the_french_catalog_is_kept_sorted_without_locations():
    """The shape `flask translate update` writes: sorted, no line numbers, so branches merge."""
    text = i18n.catalog_paths()["fr"].read_text(encoding="utf-8")
    assert "\n#: " not in text
    ids = [m.id if isinstance(m.id, str) else m.id[0] for m in _french() if m.id]
    assert ids == sorted(ids)
    assert "plural=(n > 1)" in text


def test_a_missing_compiled_catalog_is_compiled_at_start(tmp_path, monkeypatch):
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(i18n.catalog_paths()["fr"].read_bytes())
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    i18n.ensure_compiled()
    assert po.with_suffix(".mo").stat().st_size > 100


def test_a_broken_catalog_stops_the_start_with_the_reason(tmp_path, monkeypatch):
    po = tmp_path / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid "Log in"\n', encoding="utf-8")  # a merge gone wrong: no msgstr
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    with pytest.raises(SystemExit, match="Cannot compile the fr messages"):
        i18n.ensure_compiled()


def test_an_unknown_default_locale_stops_the_start(make_app):
    with pytest.raises(SystemExit, match="DEFAULT_LOCALE='de'"):
        make_app(DEFAULT_LOCALE="de")


def test_the_browser_language_chooses_the_page_language(client):
    english = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in english and "Log in" in english
    french = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).get_data(
        as_text=True
    )
    assert '<html lang="fr">' in french and "Se connecter" in french and "Mot de passe" in french
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in german


def test_the_site_default_applies_when_the_browser_names_none_of_ours(make_app):
    app = make_app(DEFAULT_LOCALE="fr")
    page = app.test_client().get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="fr">' in page and "Se connecter" in page
    page = app.test_client().get("/login", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def _language_of(app, person):
    from app.extensions import db
    from app.models import User

    with app.app_context():
        return db.session.get(User, person.id).language


def test_the_account_preference_wins_over_the_browser_on_every_page(app, client, login_as):
    trainee = login_as("trainee")
    assert _language_of(app, trainee) is None
    page = client.get("/account", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in page and "Votre compte" in page
    assert '<option selected value="fr">Français</option>' in page  # the language it speaks now
    response = client.post("/account/language", data={"language": "en"}, headers={"Accept-Language": "fr"})
    assert response.status_code == 302 and _language_of(app, trainee) == "en"
    page = client.get("/account", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert (
        '<html lang="en">' in page
        and "Your account" in page
        and "From now on the site speaks English" in page
    )
    client.post("/account/language", data={"language": "fr"})
    client.post("/account/language", data={"language": "fr"})  # twice: the same
    page = client.get("/learn/", headers={"Accept-Language": "en-US"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert '<html lang="fr">' in page and _language_of(app, trainee) == "fr"


def test_a_language_outside_ours_is_refused_beside_the_field(app, client, login_as):
    trainee = login_as("trainee")
    for value in ("de", "", "fr<script>"):
        response = client.post("/account/language", data={"language": value})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="language-error"' in page
        assert _language_of(app, trainee) is None


def test_the_login_page_switch_keeps_a_visitors_choice_into_their_account(app, client, factory):
    from tests.helpers import login

    trainee = factory.user(role="trainee")
    page = client.get("/login?next=/account").get_data(as_text=True)
    assert (
        'name="language" value="fr"' in page
        and '<strong lang="en" aria-current="true">English</strong>' in page
    )
    response = client.post("/language?next=/account", data={"language": "fr"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login?next=/account")
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Se connecter" in page
    assert login(client, trainee.email).status_code == 302
    assert _language_of(app, trainee) == "fr"  # chosen here, kept there
    client.post("/logout")
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in page  # the login page after still speaks it


def test_an_unknown_language_on_the_login_page_changes_nothing(client):
    response = client.post("/language", data={"language": "xx"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 200 and '<html lang="en">' in page and "Choose English or Français." in page
    )
    assert (
        client.post("/language?next=https://evil.example/", data={"language": "fr"}).headers["Location"]
        == "/login"
    )


def test_dates_numbers_percentages_and_money_follow_the_locale(app):
    from datetime import date, datetime

    from flask_babel import force_locale

    from app import formats

    with app.test_request_context():
        with force_locale("en"):
            assert formats.day(date(2026, 12, 1)) == "1 Dec 2026"
            assert formats.when(datetime(2026, 12, 1, 14, 5)) == "1 Dec 2026, 14:05"
            assert (formats.number(1234.5), formats.percent(45), formats.percent(12.5)) == (
                "1,234.5",
                "45%",
                "12.5%",
            )
            assert (formats.money(1234.5), formats.money(1234)) == ("€1,234.50", "€1,234")
            assert formats.due(date(2026, 12, 6), date(2026, 12, 1)) == "Due in 5 days"
            assert formats.csv_separator() == ","
        with force_locale("fr"):
            assert formats.day(date(2026, 12, 1)) == "1 déc. 2026"
            assert formats.when(datetime(2026, 12, 1, 14, 5)) == "1 déc. 2026 à 14:05"
            nb = "\u202f"  # French groups thousands with a narrow space
            assert formats.number(1234.5) == f"1{nb}234,5"
            assert formats.percent(45) == "45\u00a0%" and formats.percent(12.5) == "12,5\u00a0%"
            assert (
                formats.money(1234.5) == f"1{nb}234,50\u00a0€" and formats.money(1234) == f"1{nb}234\u00a0€"
            )
            assert formats.due(date(2026, 12, 6), date(2026, 12, 1)) == "À faire dans 5 jours"
            assert formats.due(date(2026, 11, 30), date(2026, 12, 1)) == "1 jour de retard"
            assert formats.csv_separator() == ";"


def test_csv_exports_use_the_readers_separator_and_column_names(app, client, login_as, factory):
    import csv
    import io

    manager = login_as("manager")
    team = factory.team(manager=manager)
    factory.user(role="trainee", name="Zoé Martin", team=team)
    english = client.get("/manage/export/progress.csv").get_data()
    assert english.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(english.decode("utf-8-sig"))))
    assert rows[0][:3] == ["team", "name", "email"] and rows[1][1] == "Zoé Martin"
    french = client.get("/manage/export/progress.csv", headers={"Accept-Language": "fr-FR"}).get_data()
    assert french.startswith(b"\xef\xbb\xbf")
    text = french.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["équipe", "nom", "e-mail", "date_embauche"] and rows[1][1] == "Zoé Martin"
    assert "," not in text.splitlines()[0]
    assert "étapes_certifiées" in rows[0] and "étapes_révoquées" in rows[0]  # accented like the others
    audit = (
        client.get("/manage/export/attempts.csv", headers={"Accept-Language": "fr"})
        .get_data()
        .decode("utf-8-sig")
    )
    assert audit.splitlines()[0].startswith("équipe;nom;e-mail;id_partie;")


def test_csv_cells_write_decimals_as_the_reader_does(app):
    from flask_babel import force_locale

    from app.services.team_exports import csv_cell

    with app.test_request_context():
        with force_locale("fr"):
            assert (csv_cell(12.5), csv_cell(3), csv_cell(True)) == ("12,5", 3, "oui")
        with force_locale("en"):
            assert (csv_cell(12.5), csv_cell(True)) == ("12.5", "yes")


def test_mail_follows_the_browser_of_someone_who_chose_no_language(app, factory):
    """A trainee who never chose a language but signs in with a French browser is written to in
    French while away (reminders, comments, notices); a chosen language still comes first."""
    from app.extensions import db
    from app.models import User
    from tests.helpers import login

    amelie, bob = factory.user(), factory.user()
    with app.app_context():
        db.session.get(User, bob.id).language = "en"
        db.session.commit()
    for person in (amelie, bob):
        browser = app.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr-FR,fr;q=0.9"
        assert login(browser, person.email).status_code == 302
    with app.app_context():
        amelie, bob = db.session.get(User, amelie.id), db.session.get(User, bob.id)
        assert amelie.language is None and amelie.browser_language == "fr"
        with i18n.speaking_to(amelie) as language:
            assert language == "fr"
        with i18n.speaking_to(bob) as language:
            assert language == "en"


def test_templates_gettext_formats_as_jinjas_newstyle_gettext(app):
    """The templates' _() and ngettext (i18n._template_gettext): the page's catalog, variables
    escaped, "%%" read as "%" with or without variables, a message's own markup kept."""
    from flask import render_template_string
    from flask_babel import force_locale

    with app.test_request_context():
        with force_locale("fr"):
            assert render_template_string("{{ _('Log out') }}") == "Se déconnecter"
        assert render_template_string("{{ _('Log out') }}|{{ _('50%% off') }}") == "Log out|50% off"
        assert render_template_string("{{ _('%(who)s: 12%%', who='<b>') }}") == "&lt;b&gt;: 12%"
        assert render_template_string("{{ _('<strong>%(t)s</strong>', t='x') }}") == "<strong>x</strong>"
        page = "{{ ngettext('%(num)d day', '%(num)d days', n) }}"
        assert [render_template_string(page, n=n) for n in (1, 3)] == ["1 day", "3 days"]


def test_templates_messages_kept_per_catalog_follow_the_locale_and_the_escaping(app):
    """The templates' messages without variables are kept once per catalog (i18n._page_entry):
    a forced locale inside a page still switches them, back and forth, and a template that
    does not autoescape gets the plain text, not the markup kept for those that do."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('Log out') }}|{{ _('50%% off') }}"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for _round in range(2):  # the second from what the first kept
            assert render_template_string(page) == "Log out|50% off"
            with force_locale("fr"):
                assert render_template_string("{{ _('Log out') }}") == "Se déconnecter"
            assert render_template_string("{{ _('Log out') }}") == "Log out"
        plain = app.jinja_env.from_string("{% autoescape false %}{{ _('Log out') }}{% endautoescape %}")
        assert type(plain.render()) is str and plain.render() == "Log out"


def test_the_numbers_and_dates_follow_a_locale_forced_inside_a_page(app):
    from datetime import date

    from flask_babel import force_locale

    from app import formats

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert formats.number(1234.5) == "1,234.5"
        with force_locale("fr"):
            assert formats.number(1234.5) == "1\u202f234,5"
            assert formats.day(date(2026, 12, 1)) == "1 déc. 2026"
        assert formats.percent(12.5) == "12.5%"
