"""Reads of business archive documents."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet

from openhpf.core.actors import Actor
from openhpf.core.authz import check_permission, scope_queryset
from openhpf.core.models import Center

from .models import Document
from .services import object_ref


def _scoped(qs: QuerySet[Document], user: Actor | None) -> QuerySet[Document]:
    """With a user (a console or API read), only with documents.view and only its centers' documents."""
    if user is None:
        return qs
    check_permission(user, "documents.view")
    return scope_queryset(user, qs, branch_field=None, perm="documents.view")


def documents_for(obj: models.Model | tuple[str, Any], *, user: Actor | None = None) -> QuerySet[Document]:
    """The documents linked to a business object (a model instance or an ('app.model', id) pair), oldest first."""
    object_type, object_id = object_ref(obj)
    return _scoped(Document.objects.filter(object_type=object_type, object_id=object_id), user).order_by(
        "created_at", "id")


def documents_of_center(*, center: Center | None = None, user: Actor | None = None) -> QuerySet[Document]:
    qs = _scoped(Document.objects.all(), user)
    if center is not None:
        qs = qs.filter(center=center)
    return qs.order_by("pk")
