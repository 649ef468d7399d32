"""Briefings: the weekly email of published digests, redacted to each subscriber's clearance.

Subscriptions (double opt-in, preferences, RFC 8058 unsubscribe, granted
clearance), the pure composition (`compose`), sending in claimed chunks
(`services.sending`), the archive pages, the admin and the weekly send task.
"""
