"""Interoperability with the community's standards: STIX 2.1 objects and a TAXII 2.1 server.

`stix` maps contributions and digests to STIX objects (and holds the ids,
markings and extension every export and import share), `selectors` chooses
what a reader may receive, `taxii` serves it under /taxii2/, `views` and
`api` offer the downloads. See docs/interop.md.
"""
