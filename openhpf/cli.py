"""`hpf`: the one CLI, wrapping Django's management commands (hpf migrate, hpf verify, hpf demo, …).

`hpf help` lists the project's own commands grouped by business area, each with the first sentence of its `help`
attribute; Django's commands follow under their own heading only with `hpf help --all`. `hpf help CMD` prints the
command's own help. Every command is spelled with hyphens (`hpf bank-sim`); the underscore form of the module name
(`hpf bank_sim`) is accepted too.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from difflib import get_close_matches

from django.conf import settings
from django.core.management import ManagementUtility, get_commands, load_command_class
from django.core.management.base import BaseCommand
from django.core.management.color import color_style

from openhpf.core.errors import PermissionDenied

PROJECT_PACKAGE = "openhpf."

# Business area of each app's commands, in the order `hpf help` prints the areas. An app missing here still has
# its commands listed, under OTHER_AREA.
AREAS: dict[str, str] = {
    "accounts": "账户",
    "contributions": "缴存",
    "withdrawals": "提取",
    "loans": "贷款",
    "settlement": "结算",
    "reconciliation": "对账",
    "finance": "财务",
    "ledger": "财务",
    "jobs": "作业",
    "notifications": "作业",
    "core": "安全",
    "security": "安全",
    "audit": "安全",
    "documents": "安全",
    "access": "安全",
    "iam": "安全",
    "demo": "演示",
}
AREA_ORDER = ["账户", "缴存", "提取", "贷款", "结算", "对账", "财务", "作业", "安全", "演示"]
OTHER_AREA = "其他"


def spelled(name: str) -> str:
    """The one spelling shown to users: hyphens (`bank-sim`), whatever the command module is called."""
    return name.replace("_", "-")


def module_name(name: str) -> str:
    """The command module a typed name refers to: `bank-sim` and `bank_sim` are both `bank_sim`."""
    return name.replace("-", "_")


def project_commands() -> dict[str, str]:
    """{command module name: app label} of the commands the project's apps define (not Django's own)."""
    return {
        name: app.rpartition(".")[-1]
        for name, app in get_commands().items()
        if isinstance(app, str) and app.startswith(PROJECT_PACKAGE)
    }


def summary(command: BaseCommand) -> str:
    """The first sentence of a command's `help`: the one line `hpf help` shows for it."""
    text = " ".join(str(command.help).split())
    return text.split("。", 1)[0].strip()


class Utility(ManagementUtility):
    """Django's utility with the project's command list and both spellings of a command name."""

    def main_help_text(self, commands_only: bool = False) -> str:
        if commands_only:  # `hpf help --commands`: every name, for shell completion
            return super().main_help_text(commands_only=True)
        style = color_style()
        commands = project_commands()
        by_area: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for name, app in commands.items():
            by_area[AREAS.get(app, OTHER_AREA)].append((spelled(name), summary(load_command_class(
                f"{PROJECT_PACKAGE}{app}", name))))
        width = max(len(shown) for entries in by_area.values() for shown, _ in entries)
        lines = [
            f"用法：{self.prog_name} <命令> [选项]    {self.prog_name} help <命令> 显示该命令的说明",
            "",
            "OpenHPF 命令：",
        ]
        for area in [*AREA_ORDER, OTHER_AREA]:
            if area not in by_area:
                continue
            lines += ["", style.NOTICE(f"[{area}]")]
            lines += [f"    {shown.ljust(width)}  {text}" for shown, text in sorted(by_area[area])]
        if "--all" in self.argv[2:]:
            lines += ["", "Django 命令："]
            django_by_app: dict[str, list[str]] = defaultdict(list)
            for name, app in get_commands().items():
                if name not in commands:
                    label = "django" if app == "django.core" else str(app).rpartition(".")[-1]
                    django_by_app[label].append(name)
            for label in sorted(django_by_app):
                lines += ["", style.NOTICE(f"[{label}]"), *(f"    {name}" for name in sorted(django_by_app[label]))]
        else:
            lines += ["", f"Django 自带的命令（migrate、runserver、collectstatic …）：{self.prog_name} help --all"]
        return "\n".join(lines)

    def fetch_command(self, subcommand: str) -> BaseCommand:
        # Usage lines keep the name as typed (`hpf bank-sim …`); the lookup takes either spelling.
        name = module_name(subcommand)
        commands = get_commands()
        if name not in commands:
            settings.INSTALLED_APPS  # noqa: B018 -- a settings error surfaces here, as in Django's own lookup
            close = get_close_matches(name, list(commands), n=1)
            hint = f"，是否要用 {self.prog_name} {spelled(close[0])}？" if close else "。"
            sys.stderr.write(f"未知命令：{subcommand}{hint}命令列表：{self.prog_name} help\n")
            sys.exit(1)
        return super().fetch_command(name)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    args = sys.argv[1:] if argv is None else argv
    try:
        Utility(["hpf", *args]).execute()
    except PermissionDenied as e:  # the one place a command's refused permission becomes a message, not a traceback
        sys.stderr.write(f"无权限：{e.message}\n" if not e.message.startswith("无权限") else f"{e.message}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
