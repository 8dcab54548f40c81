"""Proactive sending (alerts, reminders, staff replies) and the platforms' sending clients."""
