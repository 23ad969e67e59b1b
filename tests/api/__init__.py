"""Tests of threadsync.api."""
