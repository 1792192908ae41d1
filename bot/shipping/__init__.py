"""Shipping: the label reader's service side, the shipping run's queue, the tracking checks."""
