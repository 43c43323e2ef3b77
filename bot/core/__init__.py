"""The conversation core: one turn from an ``InboundMessage`` to ``OutboundMessage``s, knowing no platform."""
