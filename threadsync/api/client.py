"""``API``: the synchronous Threads client, pythreads' surface and the rest of the API.

Usage::

    with API(Credentials.from_token(token)) as api:
        container_id = api.create_container("Hello")
        api.wait_until_finished(container_id)
        post_id = api.publish_container(container_id)

Methods named as in pythreads return what pythreads returns (mostly dicts);
``get_*`` and ``iter_*`` return typed models. The methods live in mixins by
job (``reading``, ``publishing``, ``typed``) over one transport (``_base``).
"""

from __future__ import annotations

from threadsync.api.publishing import PublishingMixin
from threadsync.api.typed import TypedMixin


class API(PublishingMixin, TypedMixin):
    """``API(credentials, session=None, base_url=None, timeout=(10, 30), *, retry=None,
    sleep=time.sleep, clock=time.monotonic, user_id=None, secrets=(), on_retry=None)``.

    ``base_url`` is the Graph root; it defaults to ``THREADS_API_URL``, read
    when the client is built, else ``https://graph.threads.net``. Data calls go
    to ``/v1.0``. ``user_id`` defaults to the credentials' user id, else "me".
    ``on_retry`` gets a :class:`RetryEvent` before each retry's wait.
    """
