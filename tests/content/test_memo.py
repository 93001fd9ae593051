"""The one rule that bounds the app's caches whose entries differ in size (content/memo.py):
a budget of characters, the least recently used out first, nothing kept that weighs more than
`largest`; text_memo weighs the texts of a call, weighed_memo takes the weight the function
gives (a value rebuilt from a text read by id: publishing.value_by_id)."""

from app.content.memo import text_memo, weighed_memo


def test_texts_are_kept_within_a_budget_of_characters_least_recently_used_out_first():
    calls = []

    @text_memo(budget=10, largest=6)
    def shout(text):
        calls.append(text)
        return text.upper()

    assert shout("ab") == "AB" and shout.charged == 4  # the argument and the text returned
    assert shout("cd") == "CD" and shout.charged == 8
    assert shout("ab") == "AB" and calls == ["ab", "cd"]  # kept: computed once; now the newest
    assert shout("ef") == "EF" and shout.charged == 8  # over budget: "cd", the oldest, went
    assert shout("ab") == "AB" and shout("cd") == "CD" and calls == ["ab", "cd", "ef", "cd"]
    assert shout("long") == "LONG" and shout("long") == "LONG"  # 8 > largest: never kept
    assert calls.count("long") == 2 and shout.charged <= 10
    shout.cache_clear()
    assert shout.charged == 0


def test_a_weighed_memo_keeps_the_value_charged_the_weight_its_function_gives():
    read = []

    @weighed_memo(budget=100, largest=60)
    def value_by_id(row_id):
        read.append(row_id)
        compiled = "x" * (10 * row_id)  # the text the value is rebuilt from
        return {"id": row_id}, len(compiled)

    assert value_by_id(3) == {"id": 3} and value_by_id(3) is value_by_id(3)
    assert read == [3] and value_by_id.charged == 30
    value_by_id(4)
    value_by_id(3)  # read again: now the most recently used
    assert value_by_id.charged == 70
    value_by_id(5)  # 120 > 100: the least recently used (4) goes
    assert value_by_id.charged == 80
    value_by_id(3)
    value_by_id(4)
    assert read == [3, 4, 5, 4]
    value_by_id(7)  # 70 > largest: handed back, not kept
    value_by_id(7)
    assert read.count(7) == 2
    assert value_by_id.__name__ == "value_by_id"
