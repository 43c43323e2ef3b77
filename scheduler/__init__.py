"""Proactive messages: reminder plans, call alerts, the outbox dispatcher and the jobs that run them.

Nothing here reads the clock itself or calls a channel directly; see README.md.
"""
