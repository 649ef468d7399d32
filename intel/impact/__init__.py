"""Contributor impact: what each contribution changed, analysts' thanks, the suggested grade."""
