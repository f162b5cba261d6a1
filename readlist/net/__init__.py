"""Talking to the network: one HTTP client, the arXiv and Hugging Face API clients, their settings.

Everything readlist downloads (a page named on the command line, an API query) goes
through :mod:`readlist.net.http`, so the limits (deadline, size, redirects, schemes),
the User-Agent, the retry rules, offline mode and the wording of failures are the same
everywhere.
"""
