"""Reads of business archive documents."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet

from openhpf.core.models import Center

from .models import Document
from .services import object_ref


def documents_for(obj: models.Model | tuple[str, Any]) -> QuerySet[Document]:
    """The documents linked to a business object (a model instance or an ('app.model', id) pair), oldest first."""
    object_type, object_id = object_ref(obj)
    return Document.objects.filter(object_type=object_type, object_id=object_id).order_by("created_at", "id")


def documents_of_center(*, center: Center | None = None) -> QuerySet[Document]:
    qs = Document.objects.all()
    if center is not None:
        qs = qs.filter(center=center)
    return qs.order_by("pk")
