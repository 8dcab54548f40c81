"""``python -m actions.admin``: the admin CLI's documented entry point (cron jobs, staff scripts).

The CLI lives in ``admin.cli``. rasa-sdk imports every module of this package when the action
server starts, so this one imports nothing unless it runs as the program.
"""

if __name__ == "__main__":
    import sys

    from admin.cli import main

    sys.exit(main())
