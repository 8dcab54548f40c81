"""The bottom of the house: settings (read once from the environment) and the clock."""
