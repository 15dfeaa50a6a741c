"""Annotations: the W3C-style model, sidecar loading, anchoring, rendering, suggestions.

Stage: after ``frontmatter``, before ``markup``. Reads sidecar files and package
data; writes nothing. See docs/annotations.md. (The importer's suggestions are in
``annotations.suggest``, imported only where used: their tables cost a build ~12 ms to load.)
"""

from .anchor import Anchor, AnchorResult, anchor_all, normalize
from .charts import figure_html, figure_svg, figures_html
from .export import claim_reviews, collection, corrections, schema_mentions, to_w3c
from .model import Annotation, AnnotationSet, Entity, Figure, FigureValue, Source, Target
from .render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, AnnotationExtension, page_notes_html
from .sidecar import load_sidecar, parse_sidecar, sidecar_path

__all__ = [
    "ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "Anchor", "AnchorResult", "Annotation",
    "AnnotationExtension", "AnnotationSet", "Entity", "Figure", "FigureValue", "Source",
    "Target", "anchor_all", "claim_reviews", "collection", "corrections", "figure_html",
    "figure_svg", "figures_html", "load_sidecar", "normalize", "page_notes_html",
    "parse_sidecar", "schema_mentions", "sidecar_path", "to_w3c",
]
