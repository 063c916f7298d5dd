"""hfwatch: a terminal monitor of the open-model race on the Hugging Face Hub."""

__version__ = "0.1.0"
