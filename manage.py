#!/usr/bin/env python
"""Same as `hpf`."""

from openhpf.cli import main

if __name__ == "__main__":
    main()
