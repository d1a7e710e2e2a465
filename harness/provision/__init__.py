"""Provisioning: putting in reach what the study runs on, beside the harness, not part of it.

``pythons``: the interpreters of the matrix, built or installed under ``.interpreters/``,
each with a venv of the study (``capqueue interpreters build|install|list``, ``make
interpreters``). Nothing in the measuring harness imports this package: ``capqueue matrix``
is given each interpreter with ``--python``.
"""
