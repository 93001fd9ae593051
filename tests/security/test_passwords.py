"""New passwords are checked against a real list of common passwords (19,640, shipped with the
app), the product's own words, repeated characters, and the person's own name and email."""

import pytest

from app.services import passwords
from tests.helpers import PASSWORD, csrf_token_from, login


def test_the_list_shipped_with_the_app_is_a_real_one():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "qwerty", "admin123", "azerty123"} <= common
    assert (passwords.LIST_PATH.parent / "common-passwords.NOTICE").exists()


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaa",
        "admin123",
        "petitspas1",
        "Password2024!",
        "zzzzzzzzzzzzzzzz",
        "12121212",
        "PetitsPas!2026",
        "iloveyou",
        "letmein!!",
        "sunshine99",
    ],
)
def test_common_and_easy_passwords_are_refused(password):
    assert "too common" in passwords.problem(password)


@pytest.mark.parametrize(
    "password",
    ["tina.dubois", "TinaDubois1", "dubois-tina", "tdubois2026", "Dubois!Tina", "tina-dubois-tina"],
)
def test_a_password_built_on_ones_own_name_or_email_is_refused(password):
    assert "name or email" in passwords.problem(
        password, name="Tina Dubois", email="tdubois@example.com"
    ) or "too common" in passwords.problem(password, name="Tina Dubois", email="tdubois@example.com")


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "a long new phrase 42",
        "tina walks the harbour wall at dawn",
        "Vélo-cargo sous la pluie",
        "mot de passe très long mais personnel",
    ],
)
def test_good_passwords_pass(password):
    assert passwords.problem(password, name="Tina Dubois", email="tdubois@example.com") is None


def test_the_account_page_refuses_a_common_new_password_beside_the_field(app, client, factory):
    person = factory.user(name="Tina Dubois", email="tina.dubois@example.com")
    login(client, person.email)
    for weak in ("admin123", "tinadubois2026"):
        answer = client.post(
            "/account",
            data={
                "current_password": PASSWORD,
                "new_password": weak,
                "confirm": weak,
                "csrf_token": csrf_token_from(client, "/account") or "",
            },
        )
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200 and ("too common" in page or "name or email" in page), weak
