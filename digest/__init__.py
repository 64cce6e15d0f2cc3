"""digest: a static site generator for multi-source news digests.

Every summary sentence on a digest page is a verbatim sentence of a named source, linked
to its place in that source, so nothing shown is invented.
"""

__version__ = "0.1.0"
