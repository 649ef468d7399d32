"""The TAXII 2.1 server under /taxii2/: `feed` pages the objects, `views` speaks TAXII."""
