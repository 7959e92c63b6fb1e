"""Blueprints, one module per admin area."""
