from .comparison import save_comparison_figure

__all__ = ['save_comparison_figure']
