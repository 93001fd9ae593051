"""Assignments: a manager gives a course, a module or a scenario to a trainee or to a whole team,
due on a fixed date or a number of days after each trainee's hire date.

One module per job: manager_scope.py (who may act on which team, trainee or assignment),
assignment_targets.py (what can be assigned), assigning.py (give, change, cancel, undo),
team_assignments.py (the active ones of teams, for the manager's pages), effective.py (which
assignment counts for a trainee, its due date, overdue and done).
"""
