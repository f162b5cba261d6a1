"""The application layer: one command per user action, run by both the CLI and the TUI through a session."""
