"""The one HTTP server: every webhook, the staff console and the health check, on one Starlette app."""
