"""The staff console: server-rendered pages under ``/console`` calling the staff services (see README.md)."""
