"""Source material of the shipped datasets: hand-written problems and seeded generators."""
