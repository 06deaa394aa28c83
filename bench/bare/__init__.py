"""A bare Django project for the intake benchmark's baseline: one view that inserts one row.

It lives beside the benchmarks, not in the product, and runs under the same gunicorn settings as
``fengqiao serve``, so the intake figure is a ratio against what Django itself does per request.
"""
