"""The workflows both front ends run: the CLI (``sim.cli``) and the notebook API (``sim.api``).

- :mod:`sim.workflow.base`: find a variant's base (one way, for run, show and report);
- :mod:`sim.workflow.run`: run a scenario with its base, save the results folder;
- :mod:`sim.workflow.compare`: run a base and its variants on common random numbers, compare,
  save the comparison folder;
- :mod:`sim.workflow.sweep`: declare a sweep (file or ``--vary``), run it, analyse it, report.

Front ends parse arguments and print; they do not orchestrate on their own.
"""
