"""Custom Rasa NLU components for the exporters' assistant (French, Arabic, Darija, English)."""
