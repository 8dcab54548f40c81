"""The staff console: a web app for ASMEX staff (docs/console.md), ``python -m console``."""
