"""Command-line sub-commands, one module per concern; ``cli.py`` assembles them.

Modules here must import heavy packages (ortools, pandas, pyvrp, matplotlib) inside the
command functions, not at module level, so that ``fangyi dispatch`` starts fast.
"""
