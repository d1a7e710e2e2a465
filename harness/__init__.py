"""capqueue's harness: the lab equipment that checks and measures the variants.

Each module does one job: ``workload`` defines the task, ``registry`` finds the variants,
``instruments`` builds what a variant is handed (plain, recording or printing sources and
sinks, and the calibrated CPU work), ``services`` starts and stops the servers variants need
(or finds the reader's own), ``check`` and ``checkrun`` verify a run in a child
process (``leftovers`` finds and ends the processes a run leaves behind), ``conform`` runs
the whole contract on a variant (``pytest_plugin`` gives it to pytest), ``scaffold`` writes
a new variant's skeleton, ``measure`` times with pyperf, ``sweep`` times over a grid of
workloads and ``matrix`` over several interpreters (``interpreters`` builds them),
``instructions`` and ``countrun`` count instructions under valgrind, ``results`` reads and
writes pyperf JSON, ``report`` turns it into tables (``stats`` says how sure a figure is,
``units`` formats every number, ``table`` renders a table as text or Markdown) and ``plot``
into figures, ``docs`` regenerates the pages from them, ``options`` holds the command
line's shared parsing, and ``cli`` is the ``capqueue`` command. ``containers`` stands
apart: the teaching notebook's list-versus-deque timings, redone.
"""
