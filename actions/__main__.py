"""``python -m actions``: the action server (actions/server.py), on ACTIONS_HOST:ACTIONS_PORT.

rasa-sdk imports every module of this package when the action server starts, this one too
(as ``actions.__main__``): it does nothing unless it runs as the program.
"""

if __name__ == "__main__":
    import sys

    from actions.server import main

    sys.exit(main())
