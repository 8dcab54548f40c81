"""ASMEX assistant: rasa-sdk action server, knowledge base and admin CLI."""
