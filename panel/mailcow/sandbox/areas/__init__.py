"""Mailcow API areas the sandbox models, one module each, picked up without registration.

A module here may define any of:
- `SCHEMA`: SQL for its tables, re-runnable (`CREATE TABLE IF NOT EXISTS …`); the sandbox
  file is upgraded whenever the combined schema text changes.
- `ADD`, `EDIT`, `DELETE`, `GET`: handlers merged into the tables of the same name in
  `sandbox/routes.py`, with the same shapes (EDIT: key -> (item name, handler); DELETE:
  key -> (item name, extra name, handler); GET: category -> handler(call, obj, extra,
  args) returning (data, as_object)).
- `COMPACT_READS`: categories whose reads Mailcow prints compactly.
"""
from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)]
