"""Annotations: the W3C-style model, sidecar loading, anchoring, rendering, suggestions."""
