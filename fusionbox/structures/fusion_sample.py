"""The data structure that travels with every fusion sample through pipelines and models."""

from mmengine.structures import BaseDataElement

#: The four fusion tasks, in the order used for task embeddings (index = task id).
TASKS = ('ivf', 'mif', 'mef', 'mff')


def task_index(task: str) -> int:
    """Return the integer id of ``task`` (one of :data:`TASKS`), with a clear error otherwise."""
    try:
        return TASKS.index(task)
    except ValueError:
        raise ValueError(f'unknown fusion task {task!r}; expected one of {TASKS}') from None


class FusionSample(BaseDataElement):
    """One registered multi-source sample (the sources themselves travel as ``inputs``).

    Metainfo keys (set by the pipeline): ``task`` (str, one of :data:`TASKS`), ``stem`` (file stem
    shared by the sources), ``source_names`` (tuple of source folder names, in model order),
    ``source_paths``, ``ori_shape`` (H, W), ``prompt`` (str, '' when none), ``is_color`` (whether
    the fused output is recomposed in colour).

    Data fields (tensors, all in [0, 1]): ``gt`` (C, H, W) ground truth when the task defines one;
    ``pseudo_label`` (C, H, W) a training target made offline; ``chroma`` (2, H, W) the Cb/Cr
    planes used to recompose a colour result; ``pred`` (C, H, W) the fused image the model writes;
    ``mask`` (1, H, W) object masks where a dataset has them.
    """
