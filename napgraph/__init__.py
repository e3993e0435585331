"""napgraph: National Action Plans on Business and Human Rights as linked data."""

__version__ = "0.1.0"
