"""What the bot reads in a message before and besides Rasa: language variety, scam signals.

The YAML folders beside this package are Rasa's NLU training data, one folder per variety.
"""
