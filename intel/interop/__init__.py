"""Interoperability with partner systems: STIX 2.1 and TAXII 2.1."""
