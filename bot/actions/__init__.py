"""Custom Rasa actions, run in-process by a rasa_sdk executor (no action server).

Actions speak only by knowledge id or string key (see ``say``); the conversation core renders the words
in the reply language. Each action gets its dependencies (knowledge, database, clock) when it is built.
"""
