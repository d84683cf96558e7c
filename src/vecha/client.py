"""A small HTTP client for the ballot box's API, for the CLI's `--server` commands."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import httpx

from vecha.errors import VechaError

__all__ = ["Client", "ServerError", "API_PREFIX"]

API_PREFIX = "/api/v1"


class ServerError(VechaError):
    """The server refused a request (its error code and message), or could not be reached."""

    def __init__(self, message: str, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.status, self.code = status, code


class Client:
    def __init__(self, server: str, token: str | None = None, timeout: float = 120.0) -> None:
        if not server.startswith(("http://", "https://")):
            raise ServerError(f"--server {server!r}: expected an http:// or https:// URL")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.has_token = bool(token)
        self.server = server.rstrip("/")
        self.http = httpx.Client(base_url=self.server + API_PREFIX, headers=headers, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as e:
            raise ServerError(f"cannot reach {self.server} ({e.__class__.__name__}: {e})") from None
        if response.status_code >= 400:
            try:
                body = response.json()
                message, code = str(body["message"]), str(body["error"])
            except (ValueError, KeyError, TypeError):
                message, code = response.text[:200] or response.reason_phrase, ""
            raise ServerError(
                f"the server refused ({response.status_code} {code}): {message}", response.status_code, code
            )
        return response

    def get(self, path: str, **params: Any) -> Any:
        return self._send("GET", path, params=params).json()

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("POST", path, json=body).json()

    def post_canonical(self, path: str, body: bytes) -> Any:
        """POST a body that is already canonical JSON (spec §2.5), sent as it is: a large mix
        that the box then reads without building an object per ciphertext."""
        return self._send("POST", path, content=body, headers={"content-type": "application/json"}).json()

    def post_status(self, path: str, body: Any = None) -> tuple[int, Any]:
        response = self._send("POST", path, json=body)
        return response.status_code, response.json()

    def download_record(self, election_id: str, directory: Path) -> int:
        """Fetch the zipped record and unpack its plain files into `directory`."""
        data = self._send("GET", f"/elections/{election_id}/record").content
        directory.mkdir(parents=True, exist_ok=True)
        count = 0
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for info in z.infolist():
                name = info.filename
                if "/" in name or "\\" in name or name.startswith(".") or info.is_dir():
                    raise ServerError(f"the record archive holds an unexpected entry {name!r}")
                (directory / name).write_bytes(z.read(info))
                count += 1
        return count

    def election_id(self, wanted: str | None) -> str:
        """`wanted`, or the only election on the server."""
        if wanted is not None:
            return wanted
        ids = [e["id"] for e in self.get("/elections")]
        if len(ids) != 1:
            raise ServerError(f"the server holds {len(ids)} elections; name one with --id")
        return str(ids[0])
