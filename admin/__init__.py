"""The admin command line for ASMEX staff (``python -m actions.admin``)."""
