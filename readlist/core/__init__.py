"""The domain core: the paper record, untrusted text, the query language, statistics and citations.

No I/O, no UI: everything above builds on these modules.
"""
