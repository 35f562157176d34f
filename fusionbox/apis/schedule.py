"""Shorter (or longer) runs that stay coherent: ``tools/train.py CONFIG --iters N``.

:func:`scale_schedule` stretches the whole schedule of a config by ``N / max_iters``: the
iteration length, every parameter scheduler's ``begin`` / ``end`` (so the warm-up shrinks with
the run and the cosine still reaches ``eta_min`` at the last iteration), their ``T_max``,
``milestones`` and ``step_size``, and the validation, checkpoint and logging intervals. Setting
``train_cfg.max_iters`` alone keeps the schedule of the full run (e.g. 300 of 2000 iterations
end at a learning rate of 1.95e-3 of 2e-3, with validation never reached).

For a task sequence (``TaskSequenceTrainLoop``), ``N`` is the iterations per stage
(``stage_iters``) and the schedule is scaled by ``N / stage_iters``.
"""

from __future__ import annotations

from typing import Any

#: Scheduler keys holding an iteration (or a list of them), scaled with the run.
ITERATION_KEYS = ('begin', 'end', 'T_max', 'step_size')


def _scaled(value: int, factor: float, low: int = 0) -> int:
    return max(low, int(round(value * factor)))


def scale_schedule(cfg: Any, iters: int) -> float:
    """Scale the schedule of ``cfg`` (an MMEngine Config, edited in place) to ``iters``.

    Args:
        cfg: the config; ``train_cfg`` has ``max_iters`` (or ``stage_iters`` for a task
            sequence).
        iters: the new number of iterations (per stage for a task sequence), >= 1.

    Returns:
        float: the factor applied (new / old length).

    Raises:
        ValueError: ``iters`` < 1, or the config's loop has no iteration length (an epoch-based
            loop).
    """
    if iters < 1:
        raise ValueError(f'--iters must be >= 1, got {iters}')
    train_cfg = cfg.train_cfg
    key = 'max_iters' if 'max_iters' in train_cfg else 'stage_iters'
    if key not in train_cfg:
        raise ValueError(
            f'--iters needs an iteration-based training loop (train_cfg.max_iters or '
            f'stage_iters); {train_cfg.get("type")} has neither'
        )
    old = int(train_cfg[key])
    factor = iters / old
    train_cfg[key] = iters
    if train_cfg.get('val_interval'):
        val = int(train_cfg.val_interval)
        train_cfg.val_interval = iters if val >= old else _scaled(val, factor, 1)
    schedulers = cfg.get('param_scheduler') or []
    for sched in [schedulers] if isinstance(schedulers, dict) else schedulers:
        for name in ITERATION_KEYS:
            if sched.get(name) is not None:
                sched[name] = _scaled(sched[name], factor, 1 if name != 'begin' else 0)
        if sched.get('milestones'):
            sched['milestones'] = [_scaled(m, factor, 1) for m in sched['milestones']]
        if sched.get('begin') is not None and sched.get('end') is not None:
            sched['end'] = max(sched['end'], sched['begin'] + 1)
    hooks = cfg.get('default_hooks') or {}
    checkpoint = hooks.get('checkpoint')
    if checkpoint and checkpoint.get('interval', -1) > 0:
        ckpt = int(checkpoint.interval)
        checkpoint.interval = iters if ckpt >= old else _scaled(ckpt, factor, 1)
    logger = hooks.get('logger')
    if logger and logger.get('interval'):
        logger.interval = max(1, min(int(logger.interval), iters))
    return factor
