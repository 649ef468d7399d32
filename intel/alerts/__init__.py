"""Watchlists and alerts: an accepted report that matches a watch is emailed to its watcher."""
