"""`hpf`: the one CLI, wrapping Django's management commands (hpf migrate, hpf verify, hpf demo, …)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openhpf.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hpf", *sys.argv[1:]])


if __name__ == "__main__":
    main()
