"""threadsync: publish a folder of posts to Threads, plan first, exactly once."""

__version__ = "0.1.0"
