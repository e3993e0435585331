"""The SPARQL 1.1 Protocol endpoint, its query page and its service description."""
