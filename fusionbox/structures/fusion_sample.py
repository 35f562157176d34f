"""The data structure that travels with every fusion sample through pipelines and models."""

from mmengine.structures import BaseDataElement

from fusionbox.tasks import TaskNames
from fusionbox.tasks import task_index as task_index

#: The registered fusion tasks in id order (index = task id): a live view of the ``TASKS``
#: registry, the four built-ins first (``('ivf', 'mif', 'mef', 'mff')`` without plugins).
TASKS = TaskNames()


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
