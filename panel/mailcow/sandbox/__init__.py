"""A Mailcow API simulator on SQLite: same routes, validation and answers as Mailcow."""
from .app import SandboxApp, create_sandbox_app
from .seed import seed_bulk, seed_demo
from .server import SandboxServer

__all__ = ["SandboxApp", "SandboxServer", "create_sandbox_app", "seed_bulk", "seed_demo"]
