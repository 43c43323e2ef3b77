"""Storage: one SQL database through SQLAlchemy (SQLite by default, PostgreSQL by URL).

One module per aggregate (users, consents, unanswered questions); functions take a ``Session`` first.
"""
