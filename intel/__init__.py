"""Intelligence: sectors and taxonomy, reports, tagging, digests, briefings, the API."""
