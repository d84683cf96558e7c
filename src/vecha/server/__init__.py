"""The ballot box and bulletin board as an HTTP service (FastAPI)."""

from vecha.server.app import ServerSettings, create_app

__all__ = ["create_app", "ServerSettings"]
