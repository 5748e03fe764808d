"""sim: agent-based Monte Carlo simulation of how political negotiations escalate or settle.

Layers, each importing only the ones before it:
scenario (schema, loading) -> model (agents, decision rules) -> engine (replications, seeds,
batches) -> sweep (designs, distributed execution, store) -> analysis -> report -> cli.
"""

__version__ = "0.1.0"
