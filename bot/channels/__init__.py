"""Channels: each turns a platform's updates into ``InboundMessage`` and renders ``OutboundMessage``.

Only the modules here know a platform; see README.md for how to add one.
"""
