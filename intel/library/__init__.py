"""The case-study library: accepted case studies for operations teams, curated by analysts."""
