"""Jobs that run on a clock: thin functions of (now, database) that do one pass and return counts.

Today: the retention purge. Reminders, cohort plans and the outbox dispatcher come next (see README.md).
"""
