"""The network clients a command needs, built once from the settings, the environment and ``--offline``."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from readlist.config.settings import Config
from readlist.net.arxiv_api import ArxivClient
from readlist.net.hf_api import HfClient
from readlist.net.http import HttpClient
from readlist.net.settings import NetworkSettings


@dataclass
class Network:
    settings: NetworkSettings
    http: HttpClient
    hf: HfClient
    arxiv: ArxivClient

    def close(self) -> None:
        self.http.close()


def network_settings(config: Config, *, offline: bool = False) -> NetworkSettings:
    """config.toml's network keys, overridden by the environment, then by ``--offline``."""
    settings = NetworkSettings.from_env(os.environ, config.network_values())
    return settings.with_offline() if offline else settings


def connect(settings: NetworkSettings, *, sleep: Callable[[float], None] = time.sleep,
            cancelled: Callable[[], bool] | None = None) -> Network:
    """Clients sharing one HTTP connection pool; ``sleep`` lets a UI cancel the waits between requests, and
    ``cancelled`` the retries of a request that failed."""
    http = HttpClient(offline=settings.offline, sleep=sleep, cancelled=cancelled)
    hf = HfClient.from_settings(settings, http=http, sleep=sleep)
    arxiv = ArxivClient.from_settings(settings, http=http, sleep=sleep)
    return Network(settings, http, hf, arxiv)
