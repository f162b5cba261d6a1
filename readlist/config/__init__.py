"""Settings and theme files: the user's config.toml and theme TOML files, typed and validated."""
