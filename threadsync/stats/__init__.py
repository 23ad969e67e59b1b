"""``threadsync stats``: how the published posts are doing, from Threads' insights.

``collect`` fetches (through the API client's retries and rate-limit
handling) only what ``cache`` does not hold fresh; ``report`` turns state,
cache and content into rows; ``formats`` and ``html`` render them.
"""

from __future__ import annotations
