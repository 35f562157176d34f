"""Leaderboards: several methods' fused images on one or more datasets under one protocol,
optionally ranked among a published table's methods.

One module per job: :mod:`.specs` (datasets, methods and models from their command-line
forms), :mod:`.evaluate` (scoring the samples every method has; running models through the
package's inferencer), :mod:`.ranking` (means, ranks, average rank), :mod:`.published`
(published tables as reference rows), :mod:`.render` (Markdown, CSV, HTML), :mod:`.figure` (the
rank figure, thumbnails) and :mod:`.writer` (only the leaderboard's own files, atomically).
"""

from .evaluate import evaluate_methods, metric_names, run_model
from .figure import draw_figure, image_ranks, thumbnails
from .published import (
    PublishedTable,
    check_protocol,
    identify_protocol,
    rank_with_published,
    read_published,
)
from .ranking import OVERALL, build_leaderboard, rank_values
from .render import _js_number, to_csv, to_html, to_markdown
from .specs import DatasetSpec, ModelSpec, method_folder, parse_dataset, parse_model
from .writer import existing_outputs, output_paths, staging_dir, write_leaderboard

__all__ = [
    'OVERALL',
    'DatasetSpec',
    'ModelSpec',
    'PublishedTable',
    'build_leaderboard',
    'check_protocol',
    'draw_figure',
    'evaluate_methods',
    'existing_outputs',
    'identify_protocol',
    'image_ranks',
    'method_folder',
    'metric_names',
    'output_paths',
    'parse_dataset',
    'parse_model',
    'rank_values',
    'rank_with_published',
    'read_published',
    'run_model',
    'staging_dir',
    'thumbnails',
    'to_csv',
    'to_html',
    'to_markdown',
    'write_leaderboard',
    '_js_number',
]
