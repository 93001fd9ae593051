"""One vocabulary for ratings and endings, and an ending's own headline."""

from app.content import words
from app.content.parse import parse_scenario
from app.content.serialize import scenario_from_json, to_json
from tests.content.samples import BASE


def test_every_rating_has_words_and_a_tone():
    assert [words.rating_words(r) for r in ("best", "good", "ok", "poor")] == [
        "Best answer",
        "Good answer",
        "Partly right",
        "Weak answer",
    ]
    assert [words.rating_tone(r) for r in ("best", "good", "ok", "poor")] == ["ok", "ok", "warn", "bad"]
    assert words.rating_words(None) == "" and words.rating_tone(None) == ""


def test_outcome_words_claim_no_deal():
    assert "Deal won" not in words.OUTCOMES.values()
    assert words.outcome_words("win") == "Well played"
    assert words.outcome_words("loss-of-nerve") == "Loss of nerve" and words.outcome_words(None) == "Ended"


def test_an_ending_sets_its_own_headline():
    text = BASE.replace("`end: win`", "`end: win` `headline: Claire signs, on your terms`")
    scenario, findings = parse_scenario(text, "demo.md")
    assert not [f for f in findings if f.is_error], findings
    assert scenario.node("end-win").headline == "Claire signs, on your terms"
    assert words.ending_headline(scenario, "end-win", "win") == "Claire signs, on your terms"
    assert words.ending_headline(scenario, "end-loss", "loss") == "Not this time"  # no headline: the outcome
    again = scenario_from_json(to_json(scenario))  # stored and rebuilt
    assert again.node("end-win").headline == "Claire signs, on your terms"


def test_a_headline_belongs_on_an_ending():
    text = BASE.replace("## trade\n", "## trade\n`headline: Too early`\n")
    _scenario, findings = parse_scenario(text, "demo.md")
    assert any(f.code == "E-END" and "headline" in f.message for f in findings)


def test_versions_stored_before_headlines_still_read():
    scenario, _ = parse_scenario(BASE, "demo.md")
    data = to_json(scenario)
    for node in data["nodes"]:
        node.pop("headline")
    assert scenario_from_json(data).node("end-win").headline is None


def test_ledger_amounts_in_words_never_bare_units():
    a = words.amount_words
    assert a("discount", 5, "percent", concession=True) == "5% off"
    assert words.limit_words(12, "percent") == "walk-away 12%"
    assert a("volume", 2, "sites") == "2 sites" and a("volume", 1, "sites") == "1 site"
    assert a("terms", 30, "days", concession=True) == "30 days" and a("duration", 1, "months") == "1 month"
    assert a("referral", 2, "count") == "2 referrals" and a("free_runs", 1, "count") == "1 free run"
    assert a("onboarding", 1, "service", concession=True) == "1 onboarding service"
    assert a("validation", 2, "document") == "2 validation documents" and a("owner", 1, "person") == "1 owner"
    assert (
        a("discount", 2.5, "percent", concession=True) == "2.5% off"
        and a("volume", 3.0, "sites") == "3 sites"
    )
    assert words.limit_words(8, "weeks") == "walk-away 8 weeks"


def test_trade_words_look_up_the_scenario_units():
    scenario, _ = parse_scenario(BASE, "demo.md")
    assert words.trade_words(scenario, "discount", 8, given=True) == "8% off"
    assert words.trade_words(scenario, "volume", 3, given=False) == "3 sites"
