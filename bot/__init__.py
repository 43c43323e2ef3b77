"""Mentor bot: the application (conversation core, channels, actions, storage, CLI)."""
