"""Seconds in the units the history is read in: one home, imported by every layer (imports nothing)."""

HOUR_S = 3600
DAY_S = 86400
