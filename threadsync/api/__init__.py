"""Threads Graph API client: pythreads' surface, synchronous, and the rest of the API.

Importing this package reads no environment variable and touches no network;
``API`` reads ``THREADS_API_URL`` when it is built.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from threadsync.api.client import API
    from threadsync.api.configuration import Configuration
    from threadsync.api.credentials import Credentials
    from threadsync.api.errors import (
        ContainerError,
        ContainerExpired,
        ContainerFailed,
        ContainerWaitTimeout,
        InvalidAccessToken,
        MediaNotReady,
        NotFound,
        OAuth2Error,
        OAuthStateMismatch,
        PermissionDenied,
        PublishOutcomeUnknown,
        QuotaExceeded,
        RateLimited,
        ThreadsAccessTokenExpired,
        ThreadsAPIError,
        ThreadsAuthenticationError,
        ThreadsClientClosed,
        ThreadsConfigurationError,
        ThreadsConnectionError,
        ThreadsError,
        ThreadsInvalidParameter,
        ThreadsResponseError,
        ThreadsServerError,
        ThreadsTimeoutError,
        ThreadsTransportError,
        UnexpectedId,
        error_from_response,
    )
    from threadsync.api.models import (
        InsightMetric,
        InsightValue,
        Location,
        PublicProfile,
        PublishingLimit,
        QuotaConfig,
        Ref,
        ThreadsMedia,
        ThreadsUser,
        TokenInfo,
    )
    from threadsync.api.oauth import Threads
    from threadsync.api.retry import NO_RETRY, PollSchedule, RetryEvent, RetryPolicy
    from threadsync.api.types import (
        ContainerStatus,
        Media,
        MediaType,
        PublishingError,
        PublishingStatus,
        ReplyControl,
    )

# Each name is imported on first use (PEP 562): ``threadsync.api._redact`` and
# ``threadsync.api.models`` can be used without loading requests and every
# pydantic model of the client.
_WHERE = {
    "API": "threadsync.api.client",
    "Configuration": "threadsync.api.configuration",
    "ContainerError": "threadsync.api.errors",
    "ContainerExpired": "threadsync.api.errors",
    "ContainerFailed": "threadsync.api.errors",
    "ContainerStatus": "threadsync.api.types",
    "ContainerWaitTimeout": "threadsync.api.errors",
    "Credentials": "threadsync.api.credentials",
    "InsightMetric": "threadsync.api.models",
    "InsightValue": "threadsync.api.models",
    "InvalidAccessToken": "threadsync.api.errors",
    "Location": "threadsync.api.models",
    "Media": "threadsync.api.types",
    "MediaNotReady": "threadsync.api.errors",
    "NotFound": "threadsync.api.errors",
    "QuotaExceeded": "threadsync.api.errors",
    "MediaType": "threadsync.api.types",
    "NO_RETRY": "threadsync.api.retry",
    "OAuth2Error": "threadsync.api.errors",
    "OAuthStateMismatch": "threadsync.api.errors",
    "PermissionDenied": "threadsync.api.errors",
    "PollSchedule": "threadsync.api.retry",
    "PublicProfile": "threadsync.api.models",
    "PublishOutcomeUnknown": "threadsync.api.errors",
    "PublishingError": "threadsync.api.types",
    "PublishingLimit": "threadsync.api.models",
    "PublishingStatus": "threadsync.api.types",
    "QuotaConfig": "threadsync.api.models",
    "RateLimited": "threadsync.api.errors",
    "Ref": "threadsync.api.models",
    "ReplyControl": "threadsync.api.types",
    "RetryEvent": "threadsync.api.retry",
    "RetryPolicy": "threadsync.api.retry",
    "Threads": "threadsync.api.oauth",
    "ThreadsAPIError": "threadsync.api.errors",
    "ThreadsAccessTokenExpired": "threadsync.api.errors",
    "ThreadsAuthenticationError": "threadsync.api.errors",
    "ThreadsClientClosed": "threadsync.api.errors",
    "ThreadsConfigurationError": "threadsync.api.errors",
    "ThreadsConnectionError": "threadsync.api.errors",
    "ThreadsError": "threadsync.api.errors",
    "ThreadsInvalidParameter": "threadsync.api.errors",
    "ThreadsMedia": "threadsync.api.models",
    "ThreadsResponseError": "threadsync.api.errors",
    "ThreadsServerError": "threadsync.api.errors",
    "ThreadsTimeoutError": "threadsync.api.errors",
    "ThreadsTransportError": "threadsync.api.errors",
    "ThreadsUser": "threadsync.api.models",
    "TokenInfo": "threadsync.api.models",
    "UnexpectedId": "threadsync.api.errors",
    "error_from_response": "threadsync.api.errors",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


__all__ = [
    "API",
    "NO_RETRY",
    "Configuration",
    "ContainerError",
    "ContainerExpired",
    "ContainerFailed",
    "ContainerStatus",
    "ContainerWaitTimeout",
    "Credentials",
    "InsightMetric",
    "InsightValue",
    "InvalidAccessToken",
    "Location",
    "Media",
    "MediaNotReady",
    "MediaType",
    "NotFound",
    "OAuth2Error",
    "OAuthStateMismatch",
    "PermissionDenied",
    "PollSchedule",
    "PublicProfile",
    "PublishOutcomeUnknown",
    "PublishingError",
    "PublishingLimit",
    "PublishingStatus",
    "QuotaConfig",
    "QuotaExceeded",
    "RateLimited",
    "Ref",
    "ReplyControl",
    "RetryEvent",
    "RetryPolicy",
    "Threads",
    "ThreadsAPIError",
    "ThreadsAccessTokenExpired",
    "ThreadsAuthenticationError",
    "ThreadsClientClosed",
    "ThreadsConfigurationError",
    "ThreadsConnectionError",
    "ThreadsError",
    "ThreadsInvalidParameter",
    "ThreadsMedia",
    "ThreadsResponseError",
    "ThreadsServerError",
    "ThreadsTimeoutError",
    "ThreadsTransportError",
    "ThreadsUser",
    "TokenInfo",
    "UnexpectedId",
    "error_from_response",
]
