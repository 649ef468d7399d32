"""Notifications: in-site and email, per person and per kind, never twice for one event."""
