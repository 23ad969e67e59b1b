"""Renderers of plans and apply reports: text (terminal), JSON and Markdown.

Each renderer is a small function of data to a string; the commands choose
where the string goes.  Nothing here does I/O.
"""
