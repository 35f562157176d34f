"""Plain fine-tuning: each task is trained on its own data, nothing protects the previous ones."""

from fusionbox.registry import CONTINUAL_STRATEGIES

from .base_strategy import BaseContinualStrategy


@CONTINUAL_STRATEGIES.register_module()
class Naive(BaseContinualStrategy):
    """The lower baseline of a task sequence: sequential fine-tuning, no penalty, no memory."""
