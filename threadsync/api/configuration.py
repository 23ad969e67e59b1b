"""The OAuth app's settings (pythreads' ``Configuration``); the secret stays out of repr."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Configuration:
    """A Threads app: its *Threads* app id (not the Meta app id), secret and redirect URI."""

    scopes: list[str]
    app_id: str
    api_secret: str = field(repr=False)
    redirect_uri: str

    def scopes_str(self) -> str:
        """The scopes as the comma list the authorize URL takes."""
        return ",".join(self.scopes)
