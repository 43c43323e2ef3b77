"""The language layer: which of the eight varieties a message is written in, and how sure we are.

Signals, strongest first: the script; a character n-gram model trained on the project's own examples
(``nlu/<variety>/*.yml`` and ``samples/``); a lexicon of marker words; py3langid for French, English,
Italian and languages we do not serve; langdetect as a last opinion on long, unclear Latin text; and the
conversation's earlier variety for a message too short to tell.
"""
