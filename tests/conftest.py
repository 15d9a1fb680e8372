"""Shared pytest configuration: hypothesis profiles.

``ci`` (derandomised, no deadline) is selected when the environment variable ``CI`` is set;
``thorough`` runs many more examples (``HYPOTHESIS_PROFILE=thorough``); ``dev`` otherwise.
"""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=40, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=40, print_blob=True)
settings.register_profile(
    "thorough", deadline=None, max_examples=1000, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
