"""`hpf`: the one CLI, wrapping Django's management commands (hpf migrate, hpf verify, hpf demo, …)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    from django.core.management import execute_from_command_line

    from openhpf.core.errors import PermissionDenied

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # `hpf bank-sim` runs the command module bank_sim
    try:
        execute_from_command_line(["hpf", *args])
    except PermissionDenied as e:  # the one place a command's refused permission becomes a message, not a traceback
        sys.stderr.write(f"无权限：{e.message}\n" if not e.message.startswith("无权限") else f"{e.message}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
