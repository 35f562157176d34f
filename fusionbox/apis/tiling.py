"""Overlapping tiles blended with a smooth window: large images fused under a memory bound.

Tiles of ``tile x tile`` pixels step by ``tile - overlap``; the last tile of a row or column is
moved back to end at the image border, so every tile has the full size (one batch shape). Each
tile's output is weighted by a separable window that is 1 inside and falls off as a raised
cosine over ``overlap`` pixels at every edge shared with another tile (not at the image border);
the weights are normalised by their sum, so each pixel is a convex combination of the tiles
covering it and no seam is left where one tile ends.
"""

from __future__ import annotations

from typing import Callable, List

import numpy as np
import torch


def tile_starts(length: int, tile: int, overlap: int) -> List[int]:
    """Start offsets of the tiles covering ``[0, length)``; one tile when it fits."""
    if tile >= length:
        return [0]
    step = tile - overlap
    starts = list(range(0, length - tile, step))
    return starts + [length - tile]


def edge_window(size: int, taper_start: int, taper_end: int) -> np.ndarray:
    """1-D weights (size,): 1, with a raised-cosine ramp of ``taper_start`` pixels at the start
    and ``taper_end`` at the end (0 = no ramp); never exactly 0."""
    w = np.ones(size, dtype=np.float64)
    for n, sl in ((taper_start, slice(None)), (taper_end, slice(None, None, -1))):
        if n > 0:
            ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)  # (n,) in (0, 1)
            view = w[sl]
            view[:n] = np.minimum(view[:n], ramp)
    return w


def _axis_windows(length: int, tile: int, overlap: int) -> list:
    starts = tile_starts(length, tile, overlap)
    size = min(tile, length)
    windows = []
    for i, s in enumerate(starts):
        lead = overlap if i > 0 else 0
        trail = overlap if i < len(starts) - 1 else 0
        windows.append((s, edge_window(size, lead, trail)))
    return windows


def fuse_tiled(
    run: Callable[[torch.Tensor], torch.Tensor],
    sources: torch.Tensor,
    tile: int,
    overlap: int,
    batch_size: int = 1,
) -> torch.Tensor:
    """Fuse ``sources`` (N, C, H, W) tile by tile and blend the results.

    Args:
        run: fuses a batch of tiles (B, N, C, t, t) into (B, C', t, t).
        sources: the registered sources of one sample.
        tile: tile side in pixels.
        overlap: pixels shared by neighbouring tiles (the blending ramp), < tile.
        batch_size: tiles per call of ``run``. Defaults to 1.

    Returns:
        The blended result (C', H, W).
    """
    h, w = sources.shape[-2:]
    rows, cols = _axis_windows(h, tile, overlap), _axis_windows(w, tile, overlap)
    boxes = [(y, wy, x, wx) for y, wy in rows for x, wx in cols]
    out = weight = None
    for i in range(0, len(boxes), batch_size):
        chunk = boxes[i : i + batch_size]
        th, tw = len(chunk[0][1]), len(chunk[0][3])
        batch = torch.stack([sources[..., y : y + th, x : x + tw] for y, _, x, _ in chunk])
        fused = run(batch).double()  # (B, C', th, tw)
        if out is None:
            out = torch.zeros(fused.shape[1], h, w, dtype=torch.float64)
            weight = torch.zeros(1, h, w, dtype=torch.float64)
        for (y, wy, x, wx), tile_out in zip(chunk, fused):
            win = torch.from_numpy(np.outer(wy, wx))[None]  # (1, th, tw)
            out[:, y : y + th, x : x + tw] += tile_out.cpu() * win
            weight[:, y : y + th, x : x + tw] += win
    return (out / weight).float()  # (C', H, W)
