"""Threads Graph API client: pythreads' surface, synchronous, and the rest of the API.

Importing this package reads no environment variable and touches no network;
``API`` reads ``THREADS_API_URL`` when it is built.
"""

from __future__ import annotations

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
    OAuth2Error,
    OAuthStateMismatch,
    PermissionDenied,
    PublishOutcomeUnknown,
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
from threadsync.api.retry import NO_RETRY, PollSchedule, RetryPolicy
from threadsync.api.types import (
    ContainerStatus,
    Media,
    MediaType,
    PublishingError,
    PublishingStatus,
    ReplyControl,
)

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
    "RateLimited",
    "Ref",
    "ReplyControl",
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
    "error_from_response",
]
