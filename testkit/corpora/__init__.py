"""Generated corpora: deterministic by seed, made by the project's own code."""
