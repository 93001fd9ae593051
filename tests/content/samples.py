"""Sample content for the content core's tests: the fixture folder (ROOT), a small valid
scenario (BASE) that lint tests mutate a line at a time, and read() for the fixture files."""

import os

HERE = os.path.dirname(__file__)
ROOT = os.path.join(HERE, "fixtures", "root")

# A small valid scenario; the lint tests mutate it one line at a time.
BASE = """---
id: demo
title: Demo
course: demo-course
stage: negotiation
start: opening
scores: {margin: [0, 5, 10]}
state: {asked: false}
negotiation:
  walkaway: {discount: 12}
  concessions: {discount: percent}
  counterparts: {volume: sites}
---
Briefing.

## opening
`skill: phase` `phase: decision`

Claire asks.

- [Decision](#trade) `claims: decision` `margin +1` `set asked = true` `rating: best`
  > Right.
- [Discovery](#trade) `claims: discovery` `margin -1` `rating: poor`
  > Wrong.

## trade

- [Trade](#closing) `if asked` `give discount 8` `get volume 3` `rating: best`
  > Good.
- [Cave](#end-loss) `give discount 15` `unilateral` `margin -4` `rating: poor`
  > Bad.

## closing
`goto: end-win if margin >= 5` `goto: end-loss`

## end-win
`end: win`

### Debrief
Margin {margin}.

## end-loss
`end: loss`

### Debrief
Lost.
"""


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as fh:
        return fh.read()
