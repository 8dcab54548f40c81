"""The vocabulary the NLU and everything above it share: canonical values and their words."""
