"""Screens of the readlist terminal UI."""
