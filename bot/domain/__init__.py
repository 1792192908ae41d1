"""Pure rules of the seller's order work. Nothing in this package imports a framework."""
