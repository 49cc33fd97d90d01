"""optimizer: keeps an SMS and ad-traffic operation's phone lists clean."""

__version__ = "0.1.0"
