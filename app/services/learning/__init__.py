"""The trainee's learning records: page views, knowledge checks, scenario attempts and their steps.

Records are appended, never edited (the attempt row is the one running summary). Every write
here is safe to repeat: a double click, a replayed POST, a second tab or the back button finds
what the first request wrote instead of writing it twice, and the database enforces it
(unique quiz submission token, unique (attempt, seq), one open attempt per scenario).


One module per job: published.py (what a trainee may open), welcome.py (the first visit),
stage_locks.py (may they open it now), lessons.py (pages read), knowledge_checks.py,
role_plays.py (start, start over, lists), role_play_steps.py (one step), trainee_progress.py
(what next, scores over time), refusals.py (what the views map to a 404 or a message).
"""
