"""The ``trackgate`` command line."""
