"""What every layer uses: user errors (``errors``), safe YAML I/O (``yamlio``), atomic files (``fileio``).

Imports nothing from the rest of ``sim``.
"""
