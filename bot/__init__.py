"""The Rasa server side: input channels (bot.channels) and Rasa extensions (bot.extensions)."""
