"""`hpf`: the one CLI, wrapping Django's management commands (hpf migrate, hpf verify, hpf demo, …)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # `hpf bank-sim` runs the command module bank_sim
    execute_from_command_line(["hpf", *args])


if __name__ == "__main__":
    main()
