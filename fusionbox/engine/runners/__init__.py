from .fusion_runner import FusionRunner

__all__ = ['FusionRunner']
