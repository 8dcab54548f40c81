"""``python -m bot``: Rasa's command line (``python -m bot run ...``, ``python -m bot train
...``) without the known-harmless warnings of its libraries (bot/rasa_cli.py); scripts/serve.sh
and scripts/train.sh start Rasa this way."""

if __name__ == "__main__":
    import sys

    from bot.rasa_cli import main

    sys.exit(main())
