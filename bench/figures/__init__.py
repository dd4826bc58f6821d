"""The seven figures, one module each, each with ``run(bench) -> Result``."""
