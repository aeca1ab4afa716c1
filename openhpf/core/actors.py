"""Typed actors: who is acting in a service call (操作主体). No string is trusted as "the system".

- staff: a Django user (the console and the staff API pass `request.user`); its permissions are its roles;
- member (缴存职工), agent (单位经办人), partner (合作机构): principals of the portals and partner APIs, each
  holding only the narrow permissions of its kind and only its own data (its member, its employer);
- system: named trusted code (a batch, a command, the bank's push), never the maker or the checker of a
  money movement; `on_behalf_of` records the person who started it (day-end runs as
  `SystemActor("dayend", on_behalf_of=user)`).

The audit trail records each as (kind, id, label): `actor_kind`, `actor_id` and the label of `actor_label`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from .errors import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ActorKind = Literal["staff", "member", "agent", "partner", "system"]


@dataclass(frozen=True)
class MemberActor:
    """A member (缴存职工) signed in to the portal: `principal` is the iam.MemberPrincipal."""

    principal: Any
    kind: ActorKind = "member"

    @property
    def member_id(self) -> int:
        return int(self.principal.member_id)

    @property
    def label(self) -> str:
        return f"member:{self.principal.member_id}"

    @property
    def actor_id(self) -> str:
        return str(self.principal.pk)


@dataclass(frozen=True)
class AgentActor:
    """An employer's agent (单位经办人): `agent` is the iam.EmployerAgent; it acts for that employer only."""

    agent: Any
    kind: ActorKind = "agent"

    @property
    def employer_id(self) -> int:
        return int(self.agent.employer_id)

    @property
    def label(self) -> str:
        return f"agent:{self.agent.login_id}"

    @property
    def actor_id(self) -> str:
        return str(self.agent.pk)


@dataclass(frozen=True)
class PartnerActor:
    """A partner system (合作机构) through its client credentials: `client` is the iam.PartnerClient, `scopes`
    what its token was granted."""

    client: Any
    scopes: tuple[str, ...] = ()
    purpose: str = ""
    kind: ActorKind = "partner"

    @property
    def label(self) -> str:
        return f"partner:{self.client.client_id}"

    @property
    def actor_id(self) -> str:
        return str(self.client.pk)


@dataclass(frozen=True)
class SystemActor:
    """Named trusted code: `SystemActor("cli")`, `SystemActor("bank", ref="105")`, `SystemActor("dayend",
    on_behalf_of=user)`. Holds the permissions of batch work, never those of a money movement's maker or
    checker."""

    name: str
    on_behalf_of: Any = None
    ref: str = ""
    kind: ActorKind = "system"

    @property
    def label(self) -> str:
        base = f"system:{self.name}" + (f":{self.ref}" if self.ref else "")
        if self.on_behalf_of is None:
            return base
        return f"{base}:{actor_label(self.on_behalf_of)}"

    @property
    def actor_id(self) -> str:
        return self.name + (f":{self.ref}" if self.ref else "")


@dataclass(frozen=True)
class AnonymousCaller:
    """Someone not signed in, named by what it claimed (a failed sign-in, a refused client): recorded in the
    audit trail as 'anonymous:<claimed>', holding nothing. Not an actor of any service."""

    claimed: str

    @property
    def label(self) -> str:
        return f"anonymous:{self.claimed}"


PortalActor: TypeAlias = MemberActor | AgentActor | PartnerActor
if TYPE_CHECKING:
    StaffActor: TypeAlias = AbstractBaseUser | AnonymousUser
    Actor: TypeAlias = StaffActor | MemberActor | AgentActor | PartnerActor | SystemActor
else:
    StaffActor = Any
    Actor = Any


def is_system(actor: object) -> bool:
    return isinstance(actor, SystemActor)


def is_staff_user(actor: object) -> bool:
    """An authenticated, active Django user (the console's and the staff API's actor)."""
    return (actor is not None
            and not isinstance(actor, str | SystemActor | MemberActor | AgentActor | PartnerActor | AnonymousCaller)
            and bool(getattr(actor, "is_authenticated", False)) and bool(getattr(actor, "is_active", False))
            and getattr(actor, "pk", None) is not None)


def actor_kind(actor: object) -> ActorKind | None:
    if isinstance(actor, MemberActor | AgentActor | PartnerActor | SystemActor):
        return actor.kind
    return "staff" if is_staff_user(actor) else None


def actor_label(actor: object) -> str:
    """'user:<username>' for staff, the typed actor's label otherwise ('anonymous' when nobody, or a string:
    a string is not an actor)."""
    if isinstance(actor, MemberActor | AgentActor | PartnerActor | SystemActor | AnonymousCaller):
        return actor.label
    if actor is None or isinstance(actor, str):
        return "anonymous"
    get_username = getattr(actor, "get_username", None)
    return f"user:{get_username()}" if get_username is not None else "anonymous"


def actor_id(actor: object) -> str | None:
    """The id the audit trail records beside `actor_kind`: the staff user's pk, the principal's pk, the system
    actor's name (and ref); None when nobody."""
    if isinstance(actor, MemberActor | AgentActor | PartnerActor | SystemActor):
        return actor.actor_id
    return str(actor.pk) if is_staff_user(actor) else None  # type: ignore[attr-defined]


def money_actor_check(actor: object, *, role: Literal["maker", "checker"] = "maker", what: str = "资金变动") -> None:
    """A money movement (资金变动) is made and checked by people: refuse a system actor as its maker (经办) or its
    checker (复核), whoever it runs on behalf of. The permission check of the person follows separately."""
    if isinstance(actor, SystemActor):
        doing = "经办" if role == "maker" else "复核"
        raise PermissionDenied(
            f"系统主体（{actor.label}）不能{doing}{what}，须由业务人员以本人身份操作（命令行用 --as 用户名）",
            field="actor", details={"actor": actor.label, "role": role})


def staff_user_of(actor: object) -> Any:
    """The person behind an actor: the staff user itself, or the starter of a system actor; else None."""
    if isinstance(actor, SystemActor):
        return staff_user_of(actor.on_behalf_of)
    return actor if is_staff_user(actor) else None
