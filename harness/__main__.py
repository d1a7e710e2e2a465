"""``python -m harness``: the same program as the ``capqueue`` command.

Run by an interpreter that lacks what capqueue needs (an old Python, or one without the
pinned dependencies), it says in one sentence how to get a working one, instead of a
traceback; so it checks before importing anything of the harness.
"""

import importlib.util
import sys

NEEDED = ("pyperf", "psutil")  # the dependencies the harness imports


def unready():
    """Why this interpreter cannot run capqueue, as a phrase; '' when it can."""
    if sys.version_info < (3, 11):
        return f"needs Python 3.11 or newer, and {sys.executable} is {sys.version.split()[0]}"
    missing = [name for name in NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        return (f"needs {' and '.join(missing)}, which {sys.executable} does not have "
                f"installed")
    return ""


if __name__ == "__main__":
    problem = unready()
    if problem:
        print(f"capqueue: {problem}; run `make setup` in capqueue's folder, then use "
              ".venv/bin/capqueue (or `source .venv/bin/activate` and capqueue)",
              file=sys.stderr)
        sys.exit(2)
    from harness.cli import main

    sys.exit(main())
