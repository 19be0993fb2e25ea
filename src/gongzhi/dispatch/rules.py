"""Rules as data for the board: the ranking weights, the grid of cells, the response figure's threshold."""

from __future__ import annotations

import datetime as dt

# Score of a suggested assignee (higher is better), in "kilometres' worth": being free at the order's time is worth
# AVAILABILITY_BONUS km, each order taken in the last LOAD_DAYS days costs LOAD_PENALTY km (fair spread).
AVAILABILITY_BONUS = 2.0
LOAD_PENALTY = 0.5
LOAD_DAYS = 30
KM_PER_DEGREE = 111.195  # one degree of latitude (mean Earth radius 6371.0 km)

CELL_DEGREES = 0.005  # cells of ≈ 560 m (north–south) × 450 m (east–west at 36° N)
FIRST_RING = 1  # search the order's cell and its neighbours first, then widen
MAX_RING = 32  # beyond ≈ 14 km the ranking scores every qualified candidate

SUGGESTIONS = 10

RESPONSE_MINUTES = 30  # the "马上" figure: share of orders taken within this many minutes

# availability slot of a moment (people.rules.AVAILABILITY_SLOTS codes)
SLOT_BITS = {"weekday_day": 1, "weekday_evening": 2, "weekend_day": 4, "weekend_evening": 8, "holiday": 16}
DAY_STARTS, EVENING_STARTS = dt.time(7, 0), dt.time(18, 0)

# an appeal's livelihood category → the skill its order asks for (appeals/migrations/0002_seed_categories)
CATEGORY_SKILLS = {"S01": "plumbing_electric", "S02": "elderly_care", "S05": "mediation"}
