"""``python -m harness``: the same program as the ``capqueue`` command."""

import sys

from harness.cli import main

sys.exit(main())
