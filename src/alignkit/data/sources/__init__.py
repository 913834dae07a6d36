"""Sources of the shipped datasets: hand-written problems and seeded generators (run scripts/build_data.py)."""
