"""Benchmarks of the napgraph server against its peers; see bench/README.md."""
