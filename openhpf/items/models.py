"""The items app's models: each item keeps its own module (imported here so Django finds them)."""

from .certificate_models import Certificate, Purpose

__all__ = ["Certificate", "Purpose"]
