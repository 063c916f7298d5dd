"""hfwatch's benchmarks: every budget of DESIGN §11 measured against its baseline (`python -m bench`)."""
