"""Stacks: one per environment file, wiring configuration to constructs_lib."""
