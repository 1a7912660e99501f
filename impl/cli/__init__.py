"""The ``tp4`` command line (a thin layer over :mod:`impl`)."""
