"""The terminal UI: ``readlist`` with no sub-command runs :func:`readlist.tui.app.run_app`.

Layout: ``app.py`` (the app factory and the thin App), ``bindings.py`` (every key),
``messages.py`` (what screens and the app tell each other), ``screens/`` and ``widgets/``.
"""
