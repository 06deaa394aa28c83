"""Fengqiao: multi-level dispute resolution and grassroots governance."""

__version__ = "0.1.0"
