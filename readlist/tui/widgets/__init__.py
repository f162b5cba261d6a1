"""Widgets of the readlist terminal UI."""
