"""Data files of the simulated Hub (a package so that setuptools ships its CSVs)."""
