"""The library on disk: paths, atomic writes, the snapshot format, the journal, backups and the ``Library``.

Nothing here knows what a user action means; the application layer (``readlist.app``) turns actions
into transactions on a :class:`~readlist.storage.library.Library`.
"""
