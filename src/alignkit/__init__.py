"""alignkit: CGPO, SCoRe and eva post-training behind one command line."""

__version__ = "0.1.0"
