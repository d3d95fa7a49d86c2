"""The strategic layer: games among the powers whose economic payoffs come from the engines."""
