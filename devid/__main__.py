"""``python -m devid``: the same as the ``devid`` command."""

from devid.cli import main

if __name__ == "__main__":
    main()
