"""Custom Rasa components, referenced by module path in ``config.yml``."""
