"""Knowledge checks drawn from a pool: which questions an attempt asks and in what order their
answers are shown. Pure and seeded, so the form shown, the form submitted again after a
mistake and the recorded attempt all agree on one draw; the attempt records it (`shown`)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from .model import Module, Question


@dataclass(frozen=True)
class Asked:
    """One question of an attempt: its number in the module and its answers in the order shown
    (numbers of the module, 1-based)."""

    number: int
    order: tuple[int, ...]


def draw_count(module: Module) -> int:
    """Questions per attempt: `draw` from the pool, or all of them when the module sets none."""
    return min(module.draw, len(module.quiz)) if module.draw else len(module.quiz)


def draw(module: Module, seed: int) -> list[Asked]:
    """The questions of one attempt, in the module's order (authors order them), each with its
    answers shuffled: where the right answer sits says nothing."""
    rng = random.Random(seed)
    numbers = list(range(1, len(module.quiz) + 1))
    chosen = sorted(rng.sample(numbers, draw_count(module)))
    out = []
    for number in chosen:
        order = list(range(1, len(module.quiz[number - 1].answers) + 1))
        rng.shuffle(order)
        out.append(Asked(number, tuple(order)))
    return out


def from_record(module: Module, shown: list[list[Any]] | None) -> list[Asked]:
    """The draw an attempt recorded ([[question, [answers...]], ...]); attempts recorded before
    drawing existed asked every question with its answers in the module's order."""
    if not shown:
        return [Asked(n, tuple(range(1, len(q.answers) + 1))) for n, q in enumerate(module.quiz, 1)]
    out = []
    for number, order in shown:
        if 1 <= number <= len(module.quiz):
            out.append(Asked(int(number), tuple(int(i) for i in order)))
    return out


def to_record(asked: list[Asked]) -> list[list[Any]]:
    return [[a.number, list(a.order)] for a in asked]


def several(question: Question) -> bool:
    """More than one right answer: the question says "select all that apply"."""
    return sum(1 for a in question.answers if a.correct) > 1
