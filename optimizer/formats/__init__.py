"""Readers of public benchmark formats."""
