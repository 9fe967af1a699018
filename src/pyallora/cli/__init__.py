"""L5: the ``allora`` command line."""
