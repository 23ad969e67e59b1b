"""Local media on their way to Threads, which fetches every image and video by URL.

Three checks and one upload stand between a post's files and its first container:

- ``commitcheck.py``: with URLs pinned to a commit (``{sha}`` in
  ``media.base_url``, raw GitHub by default), each local file must be that
  commit's bytes; plan and apply refuse a post whose file is not.
- ``store.py``, ``s3.py``: with ``media.store: s3``, each local file is
  uploaded once to a bucket, under a key named by its SHA-256.
- ``preflight.py``: each media URL is fetched (HEAD) from the runner, so a
  404 or a wrong type refuses its post before Threads sees it.
- ``gate.py``: what apply runs for one post before its first container; a
  failure refuses that post only.

The package does I/O (git, HTTP, S3) at the edge of apply; it imports the
content models and threadsync.yaml's settings, never the API client.
"""
