"""Interoperability with the community's standards: STIX 2.1 objects and a TAXII 2.1 server.

`stix` maps contributions and digests to STIX objects (and holds the ids,
markings and extension every export and import share), `selectors` chooses
what a reader may receive, `taxii` serves it under /taxii2/, `views` and
`api` offer the downloads. `importing` reads a partner's bundle and `services`
imports it into the review queue (the analysts' page and endpoint are in
`views` and `api` too). See docs/interop.md.
"""
