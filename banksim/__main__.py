"""`python -m banksim [--host H] [--port P|0] [--db PATH] [--notify-url URL] [--port-file PATH]`."""

import sys

from .server import main

sys.exit(main())
