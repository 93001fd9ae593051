"""Drawing a knowledge check from its pool: seeded, complete, shuffled, and readable back from
what an attempt recorded."""

from app.content import quiz
from app.content.parse import parse_module
from tests.content.samples import read

MODULE = read("courses", "demo-course", "01-reading-signals.md")
QUESTION = """
### Question {n}?
- [x] Right {n}
  > Yes.
- [ ] Wrong {n}a
  > No.
- [ ] Wrong {n}b
  > No.
"""


def pool(size, draw):
    text = MODULE.replace("pass: 70\n", f"pass: 70\ndraw: {draw}\n").replace(
        "## Going further", "".join(QUESTION.format(n=n) for n in range(size)) + "\n## Going further"
    )
    module, findings = parse_module(text, "courses/demo-course/01-reading-signals.md")
    assert module is not None, findings
    return module


def test_a_draw_is_seeded_sized_and_in_the_pool_order():
    module = pool(11, 6)
    first = quiz.draw(module, 42)
    assert first == quiz.draw(module, 42)
    assert len(first) == 6 == quiz.draw_count(module)
    numbers = [a.number for a in first]
    assert numbers == sorted(numbers) and len(set(numbers)) == 6
    assert all(sorted(a.order) == list(range(1, len(module.quiz[a.number - 1].answers) + 1)) for a in first)
    assert len({tuple(a.number for a in quiz.draw(module, seed)) for seed in range(20)}) > 1


def test_without_draw_every_question_is_asked():
    module = pool(3, 1).__class__(**{**pool(3, 1).__dict__, "draw": 0})
    assert [a.number for a in quiz.draw(module, 1)] == list(range(1, len(module.quiz) + 1))


def test_a_recorded_draw_reads_back_and_old_attempts_mean_everything_in_order():
    module = pool(11, 6)
    asked = quiz.draw(module, 7)
    assert quiz.from_record(module, quiz.to_record(asked)) == asked
    everything = quiz.from_record(module, None)
    assert [a.number for a in everything] == list(range(1, len(module.quiz) + 1))
    assert everything[0].order == (1, 2)
