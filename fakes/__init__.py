"""Local stand-ins for the platforms' HTTP APIs (Telegram's Bot API, WhatsApp's Graph API).

A development package: tests and ``mentor bench`` run the real bot against these over real HTTP. Nothing in
``bot/`` imports them, except the evaluation harnesses that start them as separate processes.
"""
