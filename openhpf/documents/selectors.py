"""Reads of business archive documents."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet

from openhpf.core.actors import Actor
from openhpf.core.audit_events import AuditEvent
from openhpf.core.authz import check_permission, scope_queryset
from openhpf.core.models import Center
from openhpf.core.personal import PersonalRead, personal_read

from .models import Document, Receipt
from .receipts import receipt_get
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


@personal_read(AuditEvent.DOCUMENT_RECEIPT_VIEW, perm="documents.view")
def receipt_read(*, center: Center, number: str, actor: Actor, read: PersonalRead) -> Receipt:
    """A 业务回单 of the center (its lines hold personal data masked as issued): scoped and read-audited."""
    receipt = receipt_get(center, number)
    if not read.scope(Receipt.objects.filter(pk=receipt.pk), branch_field=None).exists():
        receipt_get(center, "")  # outside the reader's scope: as if it did not exist
    read.about(receipt)
    read.note(number=receipt.number, kind=receipt.kind)
    return receipt
