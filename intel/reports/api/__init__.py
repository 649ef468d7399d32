"""The intel REST API (DRF): contributors' own reports and case studies, analysts' review."""
