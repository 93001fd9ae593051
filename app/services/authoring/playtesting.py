"""Play-testing in the studio: from any node, with chosen starting values, and nothing recorded
(the state travels signed in the form, never in the learning tables); the test report and the
random play that weighs the graph's links."""

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from app.content import engine, playtest
from app.content.model import Scenario
from app.services.authoring.checking import AuthoringError

MAX_GAMES = 2000
MAX_HISTORY = 60

State = dict[str, Any]  # the engine's play state (engine.start_state)


class StepSummary(TypedDict):
    node: str
    choice: int | None  # 1-based among the choices shown; None for Continue
    label: str
    deltas: dict[str, float]
    sets: dict[str, Any]
    given: dict[str, float]
    got: dict[str, float]
    rating: str | None
    feedback: str
    new_node: str
    verdicts: list[str] | None


def _signer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt="author-playtest")


def playtest_start(
    scenario: Scenario, node_id: str | None = None, starting: Mapping[str, object] | None = None
) -> State:
    """A play-test state from any node with chosen starting values. Nothing is written anywhere."""
    state = engine.start_state(scenario)
    starting = starting or {}
    for dim in scenario.scores:
        raw = starting.get(f"score_{dim.name}")
        if raw not in (None, ""):
            try:
                state["scores"][dim.name] = dim.clamp(_number(raw))
            except ValueError:
                raise AuthoringError(
                    _("The starting value of `%(name)s` must be a number.", name=dim.name)
                ) from None
    for var in scenario.variables:
        raw = starting.get(f"var_{var.name}")
        if raw in (None, ""):
            continue
        if isinstance(var.initial, bool):
            state["vars"][var.name] = str(raw).lower() in ("1", "true", "yes", "on")
        elif isinstance(var.initial, (int, float)):
            try:
                state["vars"][var.name] = _number(raw)
            except ValueError:
                raise AuthoringError(
                    _("The starting value of `%(name)s` must be a number.", name=var.name)
                ) from None
        else:
            state["vars"][var.name] = str(raw)[:200]
    if node_id and node_id != scenario.start:
        node = scenario.node(node_id)
        if node is None:
            raise AuthoringError(_("There is no node `%(node)s` in this text.", node=node_id))
        state["node"] = node_id
        state["finished"], state["outcome"] = False, None
        if node.is_ending:
            state["finished"], state["outcome"] = True, node.end
    return state


def _number(raw: object) -> int | float:
    value = float(str(raw).strip().replace(",", "."))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return int(value) if value == int(value) else value


def playtest_advance(
    scenario: Scenario, state: State, choice: int | None = None, items: Iterable[int] | None = None
) -> tuple[State, engine.StepOutcome]:
    """One step of a play-test: a choice number (1-based among those shown), the observations
    ticked on a signal-picking node (0-based), or Continue."""
    if items is not None:
        return engine.pick_signals(scenario, state, items)
    if choice is None:
        return engine.continue_(scenario, state)
    return engine.step(scenario, state, choice)


def pack(secret_key: str, payload: object) -> str:
    return _signer(secret_key).dumps(payload)


def unpack(secret_key: str, token: str | None) -> dict[str, Any] | None:
    try:
        payload = _signer(secret_key).loads(token or "")
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


def step_summary(outcome: engine.StepOutcome, scenario: Scenario) -> StepSummary:
    """A JSON-able line for the play-test history."""
    return {
        "node": outcome.node,
        "choice": outcome.choice_number,
        "label": outcome.label or "Continue",
        "deltas": {k: v for k, v in outcome.deltas.items() if v},
        "sets": outcome.sets,
        "given": outcome.given,
        "got": outcome.got,
        "rating": outcome.rating,
        "feedback": outcome.feedback,
        "new_node": outcome.new_node,
        "verdicts": outcome.verdicts,
    }


def run_tests(scenario: Scenario, games: int | str = 200, seed: int | str = 0) -> playtest.PlayReport:
    games = max(0, min(int(games), MAX_GAMES))
    return playtest.test_scenario(scenario, games=games, seed=int(seed))


def random_visits(
    scenario: Scenario, games: int = 200, seed: int = 0
) -> tuple[dict[tuple[str, int], int], playtest.RandomReport]:
    """(node, 1-based choice index in the node) -> how often random play took it."""
    report = playtest.randomtest(scenario, games, seed)
    return dict(report.choice_visits), report
