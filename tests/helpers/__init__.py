"""Test helpers shared by several test modules (not fixtures: those live in conftest.py)."""
