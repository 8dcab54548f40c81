"""The files the database is filled from: the knowledge base (data/kb/*.yml) and event files.

``schema`` reads and checks typed fields for both; ``kb_schema`` and ``loader`` check and load
data/kb; ``event_schema`` and ``event_formats`` check, read and write the staff's event
import/export files (YAML or CSV).
"""
