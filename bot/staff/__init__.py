"""Staff tools behind ``mentor`` subcommands: cohorts, plan previews, the outbox; each returns text."""
